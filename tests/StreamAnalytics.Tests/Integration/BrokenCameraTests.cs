namespace StreamAnalytics.Tests.Integration;

/// <summary>One broken camera never stops the others.</summary>
[Collection(IntegrationCollection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class BrokenCameraTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sa-broken-").FullName;

    [Fact]
    public async Task Unresolvable_url_and_non_video_file_leave_the_good_camera_running()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var notVideo = Path.Combine(_folder, "notvideo.mp4");
        var bytes = new byte[256 * 1024];
        new Random(7).NextBytes(bytes);
        await File.WriteAllBytesAsync(notVideo, bytes, cts.Token);

        var port = FreeTcpPort.Next();
        var settings = PipelineSettings.Base(port, embeddedBroker: true);
        PipelineSettings.AddCamera(settings, 0, "nowhere", "rtsp://user:s3cret@camera.invalid:554/stream");
        PipelineSettings.AddCamera(settings, 1, "garbage", notVideo);
        PipelineSettings.AddCamera(settings, 2, "good", SharedData.Path("ucsd-ped2", "test", "test03.mp4"));

        await using var pipeline = await PipelineUnderTest.StartAsync(settings, cts.Token);
        await using var subscriber = await EventSubscriber.ConnectAsync("127.0.0.1", port, "satest/+/events", cts.Token);
        await subscriber.WaitForAsync(t => t == "satest/good/events", 5, TimeSpan.FromSeconds(90));
        var metrics = await pipeline.ScrapeMetricsAsync(cts.Token);

        Assert.True(PipelineSettings.Sample(metrics, "streamanalytics_ingest_frames_decoded_total{camera=\"good\"}") > 10, metrics);
        Assert.Equal(1, PipelineSettings.Sample(metrics, "streamanalytics_ingest_camera_up{camera=\"good\"}"));
        foreach (var bad in new[] { "nowhere", "garbage" })
        {
            Assert.Equal(0, PipelineSettings.Sample(metrics, $"streamanalytics_ingest_camera_up{{camera=\"{bad}\"}}"));
            Assert.Equal(0, PipelineSettings.Sample(metrics, $"streamanalytics_ingest_frames_decoded_total{{camera=\"{bad}\"}}"));
            Assert.True(PipelineSettings.Sample(metrics, $"streamanalytics_ingest_decode_errors_total{{camera=\"{bad}\"}}") >= 1, metrics);
        }

        Assert.DoesNotContain(subscriber.Messages, m => m.Topic != "satest/good/events");
        var cameras = pipeline.Pipeline.Cameras.ToDictionary(c => c.CameraId);
        Assert.NotNull(cameras["nowhere"].LastError);
        Assert.NotNull(cameras["garbage"].LastError);
        Assert.DoesNotContain("s3cret", pipeline.Logs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", cameras["nowhere"].LastError!, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret", metrics, StringComparison.Ordinal);
        Assert.Contains("Camera nowhere", pipeline.Logs.Text, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
