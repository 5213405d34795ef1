using StreamAnalytics.Hosting;
using StreamAnalytics.Tests.Fakes;

namespace StreamAnalytics.Tests.Integration;

/// <summary>The motion gate as the executable wires it: per camera, from configuration, counted in its metric.</summary>
[Collection(IntegrationCollection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class MotionGatePipelineTests
{
    [Fact]
    public async Task Only_the_camera_with_the_gate_on_gates_windows_and_both_run_to_the_end_of_their_file()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var settings = PipelineSettings.Base(FreeTcpPort.Next(), embeddedBroker: true);
        var video = SharedData.Path("ucsd-ped2", "test", "test01.mp4");
        PipelineSettings.AddCamera(settings, 0, "gated", video, 360, 240);
        PipelineSettings.AddCamera(settings, 1, "open", video, 360, 240);
        foreach (var index in new[] { 0, 1 })
        {
            settings[$"StreamAnalytics:Cameras:{index}:Loop"] = "false";
            settings[$"StreamAnalytics:Cameras:{index}:Realtime"] = "false";
            settings[$"StreamAnalytics:Cameras:{index}:QueueCapacity"] = "256";
        }

        // Nothing ever changes enough, and no window is forced within the test: only the first window reaches the backbone.
        settings["StreamAnalytics:Cameras:0:Gate:Enabled"] = "true";
        settings["StreamAnalytics:Cameras:0:Gate:Threshold"] = "0.99";
        settings["StreamAnalytics:Cameras:0:Gate:MaxSkipSeconds"] = "3600";

        await using var pipeline = await PipelineUnderTest.StartAsync(settings, cts.Token);
        await pipeline.WaitForStopAsync(cts.Token);

        var metrics = pipeline.Metrics;
        var built = metrics.WindowsBuilt.WithLabels("gated").Value;
        Assert.True(built > 40, $"{built} windows built from test01's 180 frames");
        Assert.Equal(built - 1, metrics.WindowsGated.WithLabels("gated").Value);
        Assert.Equal(built, metrics.WindowsBuilt.WithLabels("open").Value);
        Assert.Equal(0, metrics.WindowsGated.WithLabels("open").Value);
    }

    [Fact]
    public async Task A_window_head_that_needs_every_window_turns_the_gate_off_with_a_warning()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var settings = PipelineSettings.Base(FreeTcpPort.Next(), embeddedBroker: true);
        PipelineSettings.AddCamera(settings, 0, "gated", SharedData.Path("ucsd-ped2", "test", "test01.mp4"), 360, 240);
        settings["StreamAnalytics:Cameras:0:Loop"] = "false";
        settings["StreamAnalytics:Cameras:0:Realtime"] = "false";
        settings["StreamAnalytics:Cameras:0:QueueCapacity"] = "256";
        settings["StreamAnalytics:Cameras:0:Gate:Enabled"] = "true";
        settings["StreamAnalytics:Cameras:0:Gate:Threshold"] = "0.99";
        settings["StreamAnalytics:Cameras:0:Gate:MaxSkipSeconds"] = "3600";
        var everyWindow = new EveryWindowHeadModule();

        await using var pipeline = await PipelineUnderTest.StartAsync(settings, cts.Token, heads: [.. HeadModules.CreateDefault(), everyWindow]);
        await pipeline.WaitForStopAsync(cts.Token);

        var built = pipeline.Metrics.WindowsBuilt.WithLabels("gated").Value;
        Assert.True(built > 40, $"{built} windows built from test01's 180 frames");
        Assert.Equal(0, pipeline.Metrics.WindowsGated.WithLabels("gated").Value);
        Assert.Contains(pipeline.Logs.Lines, l => l.Contains("Camera gated: Gate.Enabled is ignored: window head every-window must see every window", StringComparison.Ordinal));
    }
}
