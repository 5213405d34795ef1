using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Hosting;

namespace StreamAnalytics.Tests.Integration;

/// <summary>
/// Inputs that are not what they claim: a recording cut off mid-copy, random bytes named .mp4, and RTSP
/// URLs whose password ffmpeg echoes back in its own error output. None of them stops the good camera,
/// and the password shows up nowhere an operator or a subscriber could read it.
/// </summary>
[Collection(IntegrationCollection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class BadInputTests : IDisposable
{
    private const string Secret = "S3CRET";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly string _folder = Directory.CreateTempSubdirectory("sa-badinput-").FullName;

    [Fact]
    public async Task Truncated_and_random_files_count_decode_errors_and_passwords_from_ffmpeg_errors_never_leak()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var source = await File.ReadAllBytesAsync(SharedData.Path("ucsd-ped2", "test", "test07.mp4"), cts.Token);
        var truncated = Path.Combine(_folder, "truncated.mp4");
        await File.WriteAllBytesAsync(truncated, source.AsMemory(0, (int)(source.Length * 0.4)).ToArray(), cts.Token);
        var noise = Path.Combine(_folder, "noise.mp4");
        var random = new byte[256 * 1024];
        new Random(11).NextBytes(random);
        await File.WriteAllBytesAsync(noise, random, cts.Token);
        var closedPort = FreeTcpPort.Next();

        var port = FreeTcpPort.Next();
        var settings = PipelineSettings.Base(port, embeddedBroker: true);
        PipelineSettings.AddCamera(settings, 0, "truncated", truncated);
        PipelineSettings.AddCamera(settings, 1, "noise", noise);
        // ffmpeg prints the URL it failed on, password included.
        PipelineSettings.AddCamera(settings, 2, "escaped", $"rtsp://admin:p%40ss-{Secret}@127.0.0.1:{closedPort}/x");
        PipelineSettings.AddCamera(settings, 3, "good", SharedData.Path("ucsd-ped2", "test", "test03.mp4"));
        string[] broken = ["truncated", "noise", "escaped"];

        await using var pipeline = await PipelineUnderTest.StartAsync(settings, cts.Token);
        await using var subscriber = await EventSubscriber.ConnectAsync("127.0.0.1", port, "satest/#", cts.Token);
        await subscriber.WaitForAsync(t => t == "satest/good/events", 3, Timeout);
        foreach (var id in broken)
        {
            await subscriber.WaitForMessageAsync($"satest/{id}/status", CameraStatusJson.Is("reconnecting"), Timeout);
        }

        // ffmpeg's own error line, which carries the URL, has been read and logged.
        await Eventually.MatchAsync(
            () => pipeline.Logs.Lines,
            lines => lines.Any(l => l.Contains("Camera escaped: ffmpeg: ", StringComparison.Ordinal) && l.Contains("rtsp://***@127.0.0.1", StringComparison.Ordinal)),
            Timeout,
            "ffmpeg's error naming the redacted URL",
            cts.Token,
            lines => string.Join(Environment.NewLine, lines));

        var metrics = await Eventually.MatchAsync(
            pipeline.ScrapeMetricsAsync,
            m => broken.All(id => PipelineSettings.Sample(m, $"streamanalytics_ingest_decode_errors_total{{camera=\"{id}\"}}") >= 2),
            Timeout,
            "two decode errors on every broken camera",
            cts.Token);
        var cameras = pipeline.Pipeline.Cameras.ToDictionary(c => c.CameraId);

        Assert.False(pipeline.Pipeline.ExecuteTask!.IsCompleted, "the pipeline stopped");
        Assert.Equal(1, PipelineSettings.Sample(metrics, "streamanalytics_ingest_camera_up{camera=\"good\"}"));
        foreach (var id in broken)
        {
            Assert.Equal(0, PipelineSettings.Sample(metrics, $"streamanalytics_ingest_camera_up{{camera=\"{id}\"}}"));
            Assert.Equal(0, PipelineSettings.Sample(metrics, $"streamanalytics_ingest_frames_decoded_total{{camera=\"{id}\"}}"));
            Assert.NotNull(cameras[id].LastError);
        }

        Assert.Contains("Invalid data", cameras["truncated"].LastError, StringComparison.Ordinal);
        Assert.Contains(subscriber.Messages, m => m.Topic == "satest/truncated/status" && m.Payload.Contains("Invalid data", StringComparison.Ordinal));
        Assert.DoesNotContain(subscriber.Messages, m => m.Topic.EndsWith("/events", StringComparison.Ordinal) && m.Topic != "satest/good/events");

        var logs = pipeline.Logs.Text;
        Assert.DoesNotContain(Secret, logs, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Secret, metrics, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(subscriber.Messages, m => m.Payload.Contains(Secret, StringComparison.OrdinalIgnoreCase) || m.Topic.Contains(Secret, StringComparison.OrdinalIgnoreCase));
        foreach (var camera in cameras.Values)
        {
            Assert.DoesNotContain(Secret, camera.LastError ?? string.Empty, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(Secret, camera.Status.LastError ?? string.Empty, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Fact]
    public void A_password_with_an_unescaped_at_sign_is_refused_at_start_without_echoing_it()
    {
        // ffmpeg itself would accept this URL; the configuration check refuses it (RFC 3986 wants '@' in a password as %40).
        var settings = PipelineSettings.Base(FreeTcpPort.Next(), embeddedBroker: true);
        PipelineSettings.AddCamera(settings, 0, "unescaped", $"rtsp://admin:pa@ss-{Secret}@127.0.0.1:{FreeTcpPort.Next()}/x");
        var logs = new ListLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));

        var plan = StreamAnalyticsApp.Prepare(new ConfigurationBuilder().AddInMemoryCollection(settings).Build(), loggerFactory);

        Assert.False(plan.IsValid);
        var problem = Assert.Single(plan.Problems);
        Assert.Contains("camera 'unescaped'", problem, StringComparison.Ordinal);
        Assert.Contains("rtsp://***@127.0.0.1", problem, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, problem, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Secret, logs.Text, StringComparison.OrdinalIgnoreCase);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
