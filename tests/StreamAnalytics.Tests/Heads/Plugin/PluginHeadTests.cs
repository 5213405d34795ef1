using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using StreamAnalytics.Hosting;
using StreamAnalytics.Tests.Integration;

namespace StreamAnalytics.Tests.Heads.Plugin;

/// <summary>
/// A detector written outside src/ joins the pipeline through registration alone: its frame head sees the
/// camera's frames, its window head the backbone's outputs, and detection turns both into events that name it,
/// beside the shipped heads' events.
/// </summary>
[Collection(IntegrationCollection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class PluginHeadTests
{
    [Fact]
    public async Task A_head_registered_from_the_test_assembly_raises_events_named_after_it_beside_the_shipped_heads()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var broker = await MosquittoBroker.StartAsync(cts.Token);
        await using var events = await EventSubscriber.ConnectAsync(broker.Host, broker.Port, "satest/+/events", cts.Token);
        var settings = PipelineSettings.Base(broker.Port, embeddedBroker: false);
        PipelineSettings.AddCamera(settings, 0, "walkway", SharedData.Path("ucsd-ped2", "test", "test01.mp4"));
        PipelineSettings.AddCamera(settings, 1, "yard", SharedData.Path("surveillance-fight", "noFight", "nofi001.mp4"));
        foreach (var camera in new[] { 0, 1 })
        {
            settings[$"StreamAnalytics:Cameras:{camera}:Loop"] = "false";
            settings[$"StreamAnalytics:Cameras:{camera}:Realtime"] = "false";
            settings[$"StreamAnalytics:Cameras:{camera}:QueueCapacity"] = "512";
        }

        // Brightness 0..255 is always above -1; an embedding's norm is never above 1e9.
        var test = new TestHeadModule(new HashSet<string>(["walkway"]), brightnessThreshold: -1, normThreshold: 1e9);
        long walkwayFrames;
        await using (var pipeline = await PipelineUnderTest.StartAsync(settings, cts.Token, heads: [.. HeadModules.CreateDefault(), test]))
        {
            await pipeline.WaitForStopAsync(cts.Token);
            Assert.True(pipeline.Pipeline.Cameras.Count == 2, pipeline.Logs.Text);
            walkwayFrames = pipeline.Pipeline.Cameras.Single(c => c.CameraId == "walkway").FramesRead;
        }

        var parsed = events.Messages.Select(m => EventSubscriber.Parse(m.Payload)).ToList();
        var brightness = parsed.Where(e => e.GetProperty("head").GetProperty("name").GetString() == BrightnessFrameHead.HeadName).ToList();
        Assert.NotEmpty(brightness);
        Assert.All(brightness, e => Assert.Equal(("walkway", "anomaly", "bright", "0.1"), (e.GetProperty("cameraId").GetString(), e.GetProperty("type").GetString(), e.GetProperty("label").GetString(), e.GetProperty("head").GetProperty("version").GetString())));
        Assert.All(brightness, e => Assert.Equal(-1, e.GetProperty("threshold").GetDouble()));

        // The frame head ran on its camera only, on every decoded frame, and started afresh at the session's first frame.
        var head = Assert.Single(test.FrameHeads);
        Assert.Equal(1, head.Resets);
        Assert.Equal(180, walkwayFrames);
        Assert.Equal(walkwayFrames, head.Frames);

        // The window head saw every window of both cameras and, never above its threshold, raised nothing.
        Assert.True(test.WindowHead!.Windows >= 10, $"{test.WindowHead.Windows} windows");
        Assert.DoesNotContain(parsed, e => e.GetProperty("head").GetProperty("name").GetString() == EmbeddingNormWindowHead.HeadName);

        // The shipped appearance head still runs beside them (threshold 0 in these settings).
        Assert.Contains(parsed, e => e.GetProperty("head").GetProperty("name").GetString() == "embedding-knn");
    }

    [Fact]
    public void A_registered_head_is_checked_with_the_configuration_and_its_problems_are_reported_with_the_others()
    {
        var settings = PipelineSettings.Base(1883, embeddedBroker: true);
        PipelineSettings.AddCamera(settings, 0, "walkway", SharedData.Path("ucsd-ped2", "test", "test01.mp4"));
        settings["StreamAnalytics:Mqtt:Port"] = "0";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var test = new TestHeadModule(new HashSet<string>(), 0, 0) { Problem = "Test head: Threshold must be set." };

        var plan = StreamAnalyticsApp.Prepare(configuration, NullLoggerFactory.Instance, [.. HeadModules.CreateDefault(), test]);

        Assert.True(test.Checked);
        Assert.False(plan.IsValid);
        Assert.Null(test.Backbone);
        Assert.Equal(2, plan.Problems.Count);
        Assert.Contains(plan.Problems, p => p.StartsWith("Mqtt.Port", StringComparison.Ordinal));
        Assert.Contains("Test head: Threshold must be set.", plan.Problems);
    }
}
