using System.Diagnostics;

namespace StreamAnalytics.Tests.Integration;

/// <summary>Ingest that heals itself: a killed server and a hung server, with the other camera unaffected.</summary>
[Collection(IntegrationCollection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class CameraReconnectTests
{
    private static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Camera_whose_server_is_killed_and_restarted_10_s_later_comes_back_while_the_other_never_pauses()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var serverA = await RtspTestServer.StartAsync(new Dictionary<string, string> { ["cam"] = SharedData.Path("ucsd-ped2", "test", "test01.mp4") }, cts.Token);
        await using var serverB = await RtspTestServer.StartAsync(new Dictionary<string, string> { ["cam"] = SharedData.Path("ucsd-ped2", "test", "test05.mp4") }, cts.Token);
        var port = FreeTcpPort.Next();
        var settings = PipelineSettings.Base(port, embeddedBroker: true);
        PipelineSettings.AddCamera(settings, 0, "a", serverA.UrlFor("cam"));
        PipelineSettings.AddCamera(settings, 1, "b", serverB.UrlFor("cam"));
        const double backoffCap = 2;
        settings["StreamAnalytics:Cameras:0:Reconnect:MaxDelaySeconds"] = backoffCap.ToString(System.Globalization.CultureInfo.InvariantCulture);

        await using var pipeline = await PipelineUnderTest.StartAsync(settings, cts.Token);
        await using var subscriber = await EventSubscriber.ConnectAsync("127.0.0.1", port, "satest/+/status", cts.Token);
        await subscriber.WaitForMessageAsync("satest/a/status", CameraStatusJson.Is("online"), StatusTimeout);
        await subscriber.WaitForMessageAsync("satest/b/status", CameraStatusJson.Is("online"), StatusTimeout);
        var before = await pipeline.ScrapeMetricsAsync(cts.Token);
        var clock = Stopwatch.StartNew();

        serverA.Kill();
        await subscriber.WaitForMessageAsync("satest/a/status", CameraStatusJson.Is("reconnecting"), StatusTimeout);
        // The outage the scenario prescribes: the server stays down for 10 s.
        await Task.Delay(TimeSpan.FromSeconds(10), cts.Token);
        await serverA.RestartAsync(cts.Token);
        var restarted = Stopwatch.StartNew();
        await WaitForOnlineAfterAsync(subscriber, "satest/a/status", "reconnecting", StatusTimeout);
        var recovery = restarted.Elapsed;
        var after = await pipeline.ScrapeMetricsAsync(cts.Token);
        var elapsed = clock.Elapsed.TotalSeconds;

        // Back within the backoff cap plus ffmpeg's stream probing (about 2 s on loopback).
        Assert.True(recovery < TimeSpan.FromSeconds(backoffCap + 6), $"camera a took {recovery.TotalSeconds:0.0} s to come back");
        Assert.True(PipelineSettings.Sample(after, "streamanalytics_ingest_reconnects_total{camera=\"a\"}") >= 1, after);
        var statesA = subscriber.Messages.Where(m => m.Topic == "satest/a/status").Select(m => CameraStatusJson.State(m.Payload)).ToList();
        var wentDown = statesA.IndexOf("reconnecting");
        Assert.True(wentDown > statesA.IndexOf("online") && statesA[^1] == "online", string.Join(" → ", statesA));
        var statesB = subscriber.Messages.Where(m => m.Topic == "satest/b/status").Select(m => CameraStatusJson.State(m.Payload)).ToList();
        Assert.All(statesB.Skip(statesB.IndexOf("online")), state => Assert.Equal("online", state));
        var framesB = PipelineSettings.Sample(after, "streamanalytics_ingest_frames_decoded_total{camera=\"b\"}") - PipelineSettings.Sample(before, "streamanalytics_ingest_frames_decoded_total{camera=\"b\"}");
        Assert.True(framesB >= 0.85 * 10 * elapsed, $"camera b decoded {framesB} frames in {elapsed:0.0} s (10 fps source)");
        // If camera b had paused during a's 10 s outage, about three quarters of its frames in this period would be
        // missing or dropped. Drop-oldest also absorbs shorter scheduling hiccups on two busy cores (a ~1 s one
        // was seen while a reconnects; not yet explained), so the bound separates a pause from a hiccup.
        var droppedB = PipelineSettings.Sample(after, "streamanalytics_ingest_frames_dropped_total{camera=\"b\",reason=\"queue_full\"}");
        Assert.True(droppedB <= 0.2 * framesB, $"camera b dropped {droppedB} of {framesB} frames");
    }

    [Fact]
    public async Task Hung_server_trips_the_watchdog_within_its_limit_and_resuming_recovers()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var server = await RtspTestServer.StartAsync(new Dictionary<string, string> { ["cam"] = SharedData.Path("ucsd-ped2", "test", "test03.mp4") }, cts.Token);
        var port = FreeTcpPort.Next();
        var settings = PipelineSettings.Base(port, embeddedBroker: true);
        PipelineSettings.AddCamera(settings, 0, "hang", server.UrlFor("cam"));
        const double watchdog = 3;
        settings["StreamAnalytics:Cameras:0:Reconnect:WatchdogSeconds"] = watchdog.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["StreamAnalytics:Cameras:0:Reconnect:OpenTimeoutSeconds"] = "5";

        await using var pipeline = await PipelineUnderTest.StartAsync(settings, cts.Token);
        await using var subscriber = await EventSubscriber.ConnectAsync("127.0.0.1", port, "satest/+/status", cts.Token);
        await subscriber.WaitForMessageAsync("satest/hang/status", CameraStatusJson.Is("online"), StatusTimeout);

        server.Suspend();
        var suspended = Stopwatch.StartNew();
        await subscriber.WaitForMessageAsync("satest/hang/status", CameraStatusJson.Is("stalled"), StatusTimeout);
        var detection = suspended.Elapsed;
        server.Resume();
        await WaitForOnlineAfterAsync(subscriber, "satest/hang/status", "stalled", TimeSpan.FromSeconds(40));

        // The frame in flight when the server froze may have arrived just before; the watchdog ticks every second.
        Assert.True(detection < TimeSpan.FromSeconds(watchdog + 2.5), $"watchdog fired after {detection.TotalSeconds:0.0} s");
        Assert.Contains("no frame for", pipeline.Logs.Text, StringComparison.Ordinal);
        var metrics = await pipeline.ScrapeMetricsAsync(cts.Token);
        var states = string.Join(" → ", subscriber.Messages.Where(m => m.Topic == "satest/hang/status").Select(m => CameraStatusJson.State(m.Payload)));
        Assert.True(PipelineSettings.Sample(metrics, "streamanalytics_ingest_camera_up{camera=\"hang\"}") == 1, states + Environment.NewLine + pipeline.Logs.Text);
    }

    // Counting "online" messages is not enough: a camera that is learning republishes its status (with progress) while
    // it stays online, so the recovery is the first "online" after the camera was seen down.
    private static Task WaitForOnlineAfterAsync(EventSubscriber subscriber, string topic, string downState, TimeSpan timeout) =>
        subscriber.WaitForAsync(t => t == topic && CameraStatusJson.OnlineAfter(subscriber.Messages.Where(m => m.Topic == topic).Select(m => CameraStatusJson.State(m.Payload)).ToList(), downState), 1, timeout);
}
