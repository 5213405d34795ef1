using StreamAnalytics.Heads.Appearance;

namespace StreamAnalytics.Tests.Integration;

/// <summary>
/// <c>Detection.Anomaly.Regions</c> as the executable wires it: the feature-map manifest, every window's frames' maps
/// averaged and compared cell by cell, the calibration saved with its cell scales, and incidents that name the head.
/// </summary>
[Collection(IntegrationCollection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class RegionAppearancePipelineTests
{
    [Fact]
    public async Task A_camera_learns_its_cells_saves_their_scales_and_alerts_on_the_cyclist_by_region()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var port = FreeTcpPort.Next();
        var settings = PipelineSettings.Base(port, embeddedBroker: true);
        settings.Remove("StreamAnalytics:Detection:Anomaly:Threshold");
        settings["StreamAnalytics:Model:Manifest"] = Path.Combine(AppContext.BaseDirectory, "models", "resnet18", "model-featuremap.json");
        settings["StreamAnalytics:Detection:Anomaly:Regions"] = "true";
        settings["StreamAnalytics:Detection:Anomaly:CalibrationWindows"] = "20";
        settings["StreamAnalytics:Detection:Motion:Enabled"] = "false";

        // Ped2's test01 at its own 10 fps: people walking, and from frame 61 a cyclist. The first 20 windows (frames 1-41) are learned.
        PipelineSettings.AddCamera(settings, 0, "walkway", SharedData.Path("ucsd-ped2", "test", "test01.mp4"), 360, 240);
        settings["StreamAnalytics:Cameras:0:Loop"] = "false";
        settings["StreamAnalytics:Cameras:0:Realtime"] = "true";
        settings["StreamAnalytics:Cameras:0:QueueCapacity"] = "256";

        await using var pipeline = await PipelineUnderTest.StartAsync(settings, cts.Token);
        await using var subscriber = await EventSubscriber.ConnectAsync("127.0.0.1", port, "satest/walkway/events", cts.Token);
        await pipeline.WaitForStopAsync(cts.Token);
        await subscriber.WaitForAsync(t => t == "satest/walkway/events", 1, TimeSpan.FromSeconds(30));

        Assert.Contains("Camera walkway: appearance head learned what is normal from 20 windows; threshold 2.000", pipeline.Logs.Text, StringComparison.Ordinal);
        var state = AppearanceStateFile.PathFor(settings["StreamAnalytics:Pipeline:StateDirectory"]!, "walkway");
        var (normal, _, scales) = AppearanceStateFile.Load(state, "walkway", "model resnet18-imagenet 0.23.1, output ReLU393_Output_0 of 25088");
        Assert.Equal(20, normal.Count);
        Assert.Equal(49, scales.Length);

        var events = subscriber.Messages.Select(m => EventSubscriber.Parse(m.Payload)).ToList();
        var start = events.First(e => e.GetProperty("phase").GetString() == "start");
        Assert.Equal(AppearanceWindowHead.RegionHeadName, start.GetProperty("head").GetProperty("name").GetString());
        Assert.Equal("appearance", start.GetProperty("label").GetString());
        Assert.Equal(2.0, start.GetProperty("threshold").GetDouble());

        // Nothing before the cyclist: the incident's first window ends after frame 61.
        Assert.True(start.GetProperty("window").GetProperty("lastFrame").GetInt64() >= 61, pipeline.Logs.Text);
    }
}
