using System.Threading.Channels;
using Prometheus;
using StreamAnalytics.Configuration;
using StreamAnalytics.Ingest;
using StreamAnalytics.Observability;
using StreamAnalytics.Tests.Fakes;

namespace StreamAnalytics.Tests.Integration;

/// <summary>
/// A camera that keeps failing restarts its decoder (or prober) every few milliseconds; each of those
/// child processes must give back its pipes when it ends, not when a garbage collection happens to run.
/// Runs in the serial integration collection so no other test opens pipes meanwhile.
/// </summary>
[Collection(IntegrationCollection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class DecoderPipeTests
{
    private const int Sessions = 10;

    [Fact]
    public async Task Failed_decoder_and_probe_sessions_leave_no_pipes_open()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var closedPort = FreeTcpPort.Next();
        var metrics = new PipelineMetrics(Metrics.NewCustomRegistry());

        // "sized" skips ffprobe and runs ffmpeg each session; "probed" has no decode size, so each session runs ffprobe.
        var sized = Camera("sized", closedPort, width: 320, height: 240);
        var probed = Camera("probed", closedPort, width: null, height: null);

        var before = OpenPipes();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        var readers = new[] { sized, probed }.Select(c => new CameraReader(c, Channel.CreateUnbounded<Frame>().Writer, metrics.ForCamera(c.Id), TimeProvider.System, new CapturingLogger())).ToArray();
        var runs = readers.Select(r => r.RunAsync(stop.Token)).ToArray();

        await Eventually.MatchAsync(
            () => readers.Min(r => metrics.Reconnects.WithLabels(r.CameraId).Value),
            n => n >= Sessions,
            TimeSpan.FromSeconds(90),
            $"{Sessions} failed sessions per camera",
            cts.Token,
            _ => string.Join(", ", readers.Select(r => $"{r.CameraId}: {metrics.Reconnects.WithLabels(r.CameraId).Value} reconnects, {r.State}, {r.LastError}")));
        await stop.CancelAsync();
        await Task.WhenAll(runs);

        var after = OpenPipes();
        // Without closing them, every session leaves two pipes (stdout, stderr): 2 × 2 × 10 = 40 more.
        Assert.True(after - before <= 4, $"pipes open before: {before}, after {Sessions} failed sessions of each camera: {after}");
        Assert.All(readers, r => Assert.NotNull(r.LastError));
    }

    private static CameraOptions Camera(string id, int port, int? width, int? height) => new()
    {
        Id = id,
        Url = $"rtsp://127.0.0.1:{port}/none",
        Width = width,
        Height = height,
        Reconnect = new ReconnectOptions { InitialDelaySeconds = 0.02, MaxDelaySeconds = 0.02, OpenTimeoutSeconds = 5 },
    };

    private static int OpenPipes() => Directory.EnumerateFileSystemEntries("/proc/self/fd")
        .Count(fd =>
        {
            try
            {
                return new FileInfo(fd).LinkTarget?.StartsWith("pipe:", StringComparison.Ordinal) == true;
            }
            catch (IOException)
            {
                // Closed between listing and reading.
                return false;
            }
        });
}
