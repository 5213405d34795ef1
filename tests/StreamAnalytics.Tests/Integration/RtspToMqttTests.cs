namespace StreamAnalytics.Tests.Integration;

/// <summary>
/// The whole product on loopback: a real RTSP server streaming real footage, ffmpeg ingest, the real
/// ResNet-18 through ONNX Runtime, and a real broker (mosquitto, then the embedded MQTTnet server).
/// </summary>
[Collection(IntegrationCollection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class RtspToMqttTests
{
    private static readonly TimeSpan EventTimeout = TimeSpan.FromSeconds(90);
    private static readonly string[] Phases = ["start", "update", "end"];

    [Fact]
    public async Task Rtsp_camera_events_reach_a_mosquitto_subscriber_and_metrics_count_frames()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var rtsp = await RtspTestServer.StartAsync(new Dictionary<string, string> { ["ped"] = SharedData.Path("ucsd-ped2", "test", "test01.mp4") }, cts.Token);
        await using var broker = await MosquittoBroker.StartAsync(cts.Token);
        await using var subscriber = await EventSubscriber.ConnectAsync(broker.Host, broker.Port, "satest/#", cts.Token);
        var settings = PipelineSettings.Base(broker.Port, embeddedBroker: false);
        PipelineSettings.AddCamera(settings, 0, "walkway", rtsp.UrlFor("ped"));

        await using var pipeline = await PipelineUnderTest.StartAsync(settings, cts.Token);
        await subscriber.WaitForAsync(t => t == "satest/walkway/events", 3, EventTimeout);
        var metrics = await pipeline.ScrapeMetricsAsync(cts.Token);

        AssertEvents(subscriber, "walkway");
        Assert.Contains(subscriber.Messages, m => m.Topic == "satest/status" && m.Payload == "online");
        Assert.True(PipelineSettings.Sample(metrics, "streamanalytics_ingest_frames_decoded_total{camera=\"walkway\"}") > 0, metrics);
        Assert.True(PipelineSettings.Sample(metrics, "streamanalytics_windowing_windows_built_total{camera=\"walkway\"}") > 0, metrics);
        Assert.True(PipelineSettings.Sample(metrics, "streamanalytics_publishing_events_published_total{camera=\"walkway\"}") >= 3, metrics);
        Assert.Equal(1, PipelineSettings.Sample(metrics, "streamanalytics_ingest_camera_up{camera=\"walkway\"}"));
        Assert.DoesNotContain("rtsp://", metrics, StringComparison.Ordinal);

        await pipeline.StopAsync();
        await subscriber.WaitForMessageAsync("satest/status", payload => payload == "offline", TimeSpan.FromSeconds(30))
            .ContinueWith(_ => { }, TaskScheduler.Default);
        Assert.True(
            subscriber.Messages.LastOrDefault(m => m.Topic == "satest/status").Payload == "offline",
            string.Join(Environment.NewLine, subscriber.Messages.Where(m => m.Topic.EndsWith("status", StringComparison.Ordinal)).Select(m => m.Topic + " " + m.Payload)) + Environment.NewLine + pipeline.Logs.Text);
    }

    [Fact]
    public async Task Rtsp_camera_events_reach_a_subscriber_of_the_embedded_broker()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var rtsp = await RtspTestServer.StartAsync(new Dictionary<string, string> { ["fight"] = SharedData.Path("surveillance-fight", "fight", "fi001.mp4") }, cts.Token);
        var port = FreeTcpPort.Next();
        var settings = PipelineSettings.Base(port, embeddedBroker: true);
        PipelineSettings.AddCamera(settings, 0, "yard", rtsp.UrlFor("fight"));

        await using var pipeline = await PipelineUnderTest.StartAsync(settings, cts.Token);
        await using var subscriber = await EventSubscriber.ConnectAsync("127.0.0.1", port, "satest/#", cts.Token);
        await subscriber.WaitForAsync(t => t == "satest/yard/events", 3, EventTimeout);
        var metrics = await pipeline.ScrapeMetricsAsync(cts.Token);

        AssertEvents(subscriber, "yard");
        // A subscriber that arrives later still learns the service is online: the status is retained.
        await using var late = await EventSubscriber.ConnectAsync("127.0.0.1", port, "satest/status", cts.Token);
        await late.WaitForMessageAsync("satest/status", payload => payload == "online", TimeSpan.FromSeconds(10));
        Assert.Contains(late.Messages, m => m.Topic == "satest/status" && m.Payload == "online" && m.Retained);
        Assert.True(PipelineSettings.Sample(metrics, "streamanalytics_ingest_frames_decoded_total{camera=\"yard\"}") > 0, metrics);
        Assert.True(PipelineSettings.Sample(metrics, "streamanalytics_windowing_windows_built_total{camera=\"yard\"}") > 0, metrics);
    }

    private static void AssertEvents(EventSubscriber subscriber, string cameraId)
    {
        var events = subscriber.Messages.Where(m => m.Topic == $"satest/{cameraId}/events").Select(m => EventSubscriber.Parse(m.Payload)).ToList();
        Assert.True(events.Count >= 3);
        long previousFirst = 0;
        long previousLast = 0;
        var ids = new HashSet<string>();
        // One incident (the score never drops below a zero threshold): a start, then updates of the same event.
        Assert.Equal("start", events[0].GetProperty("phase").GetString());
        Assert.Single(events.Select(e => e.GetProperty("eventId").GetString()).Distinct());
        foreach (var e in events)
        {
            Assert.Equal(2, e.GetProperty("schemaVersion").GetInt32());
            Assert.Equal(cameraId, e.GetProperty("cameraId").GetString());
            Assert.Equal("anomaly", e.GetProperty("type").GetString());
            Assert.True(ids.Add(e.GetProperty("messageId").GetString()!), "message ids must be unique");
            Assert.Contains(e.GetProperty("phase").GetString(), Phases);
            Assert.True(e.GetProperty("peakScore").GetDouble() >= e.GetProperty("score").GetDouble() || e.GetProperty("phase").GetString() == "end");
            Assert.True(e.GetProperty("incident").GetProperty("firstFrame").GetInt64() <= e.GetProperty("window").GetProperty("firstFrame").GetInt64());
            Assert.Equal("resnet18-imagenet", e.GetProperty("model").GetProperty("name").GetString());
            var window = e.GetProperty("window");
            var first = window.GetProperty("firstFrame").GetInt64();
            var last = window.GetProperty("lastFrame").GetInt64();
            Assert.True(first >= 1 && first < last, $"frame range {first}-{last}");
            Assert.True(first > previousFirst && last > previousLast, $"frame ranges must increase: {previousFirst}-{previousLast} then {first}-{last}");
            Assert.True(window.GetProperty("firstCaptureTime").GetDateTimeOffset() <= window.GetProperty("lastCaptureTime").GetDateTimeOffset());
            previousFirst = first;
            previousLast = last;
        }
    }
}
