using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace StreamAnalytics.Tests.Integration;

/// <summary>
/// Eight cameras for a minute on one machine: five good RTSP streams keep their frame rate while a refused
/// port, an unresolvable host and a truncated recording back off instead of spinning, and no decoder
/// process outlives the pipeline.
/// </summary>
[Collection(IntegrationCollection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed partial class ManyCamerasTests : IDisposable
{
    private const double SourceFps = 10;
    private const double InitialDelaySeconds = 1;
    private const double MaxDelaySeconds = 8;

    /// <summary>ReconnectBackoff draws each delay from [ceiling/2, ceiling]; the log shows it rounded to 0.1 s.</summary>
    private const double LoggedRounding = 0.051;

    private static readonly TimeSpan ScenarioLength = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ShortestMeasuredPeriod = TimeSpan.FromSeconds(40);
    private static readonly TimeSpan StatusTimeout = TimeSpan.FromSeconds(30);
    private static readonly string[] Clips = ["test01.mp4", "test03.mp4", "test05.mp4", "test07.mp4", "test09.mp4"];

    private readonly string _folder = Directory.CreateTempSubdirectory("sa-many-").FullName;

    [Fact]
    public async Task Five_good_cameras_keep_their_frame_rate_while_three_broken_ones_back_off_and_no_decoder_outlives_the_pipeline()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var mounts = Clips.Select((clip, i) => (Mount: $"cam{i}", File: SharedData.Path("ucsd-ped2", "test", clip))).ToDictionary(m => m.Mount, m => m.File);
        await using var rtsp = await RtspTestServer.StartAsync(mounts, cts.Token);
        var truncated = await TruncatedCopyAsync(SharedData.Path("ucsd-ped2", "test", "test11.mp4"), 0.4, cts.Token);

        var port = FreeTcpPort.Next();
        var settings = PipelineSettings.Base(port, embeddedBroker: true);
        // Every fifth frame, four per window, no overlap: two ResNet-18 runs per camera per second, which inference keeps up with.
        settings["StreamAnalytics:Window:Length"] = "4";
        settings["StreamAnalytics:Window:Subsample"] = "4";
        settings["StreamAnalytics:Window:Hop"] = "4";
        var good = Enumerable.Range(0, Clips.Length).Select(i => $"good{i}").ToArray();
        for (var i = 0; i < good.Length; i++)
        {
            PipelineSettings.AddCamera(settings, i, good[i], rtsp.UrlFor($"cam{i}"));
        }

        (string Id, string Url)[] bad =
        [
            ("refused", $"rtsp://127.0.0.1:{FreeTcpPort.Next()}/x"),
            ("unresolvable", "rtsp://cam.invalid/x"),
            ("truncated", truncated),
        ];
        for (var i = 0; i < bad.Length; i++)
        {
            var index = good.Length + i;
            PipelineSettings.AddCamera(settings, index, bad[i].Id, bad[i].Url);
            settings[$"StreamAnalytics:Cameras:{index}:Reconnect:InitialDelaySeconds"] = InitialDelaySeconds.ToString(CultureInfo.InvariantCulture);
            settings[$"StreamAnalytics:Cameras:{index}:Reconnect:MaxDelaySeconds"] = MaxDelaySeconds.ToString(CultureInfo.InvariantCulture);
        }

        var run = Stopwatch.StartNew();
        await using var pipeline = await PipelineUnderTest.StartAsync(settings, cts.Token);
        await using var subscriber = await EventSubscriber.ConnectAsync("127.0.0.1", port, "satest/#", cts.Token);
        foreach (var id in good)
        {
            await subscriber.WaitForMessageAsync($"satest/{id}/status", CameraStatusJson.Is("online"), StatusTimeout);
        }

        var decodersWhileRunning = ChildProcesses.Of(Environment.ProcessId, "ffmpeg");
        var before = await pipeline.ScrapeMetricsAsync(cts.Token);
        var measured = Stopwatch.StartNew();
        // The scenario's length (a minute of eight cameras), not a wait for a result: the rate is measured over it.
        var remaining = ScenarioLength - run.Elapsed;
        await Task.Delay(remaining > ShortestMeasuredPeriod ? remaining : ShortestMeasuredPeriod, cts.Token);
        var after = await pipeline.ScrapeMetricsAsync(cts.Token);
        var measuredSeconds = measured.Elapsed.TotalSeconds;
        var runSeconds = run.Elapsed.TotalSeconds;
        var lastErrors = pipeline.Pipeline.Cameras.ToDictionary(c => c.CameraId, c => c.LastError);

        await pipeline.StopAsync();
        var stoppedSeconds = run.Elapsed.TotalSeconds;
        var decodersAfterStop = ChildProcesses.Of(Environment.ProcessId, "ffmpeg", "ffprobe");
        var logLines = pipeline.Logs.Lines;

        foreach (var id in good)
        {
            var decoded = Delta(before, after, $"streamanalytics_ingest_frames_decoded_total{{camera=\"{id}\"}}");
            Assert.True(decoded >= 0.85 * SourceFps * measuredSeconds, $"camera {id} decoded {decoded} frames in {measuredSeconds:0.0} s from a {SourceFps} fps source{Environment.NewLine}{CameraLines(after, id)}");
            // Drop-oldest exists for the moments the CPU is taken (two cores, eight decoders, ResNet-18): some drops
            // are that mechanism working; a camera that cannot keep up drops far more than 5%.
            var dropped = PipelineSettings.Sample(after, $"streamanalytics_ingest_frames_dropped_total{{camera=\"{id}\",reason=\"queue_full\"}}");
            Assert.True(dropped <= 0.05 * decoded, $"camera {id} dropped {dropped} of {decoded} frames");
            Assert.Equal(1, PipelineSettings.Sample(after, $"streamanalytics_ingest_camera_up{{camera=\"{id}\"}}"));
            Assert.True(PipelineSettings.Sample(after, $"streamanalytics_publishing_events_published_total{{camera=\"{id}\"}}") > 0, CameraLines(after, id));
        }

        var maxReconnects = MostReconnectsPossible(runSeconds);
        foreach (var (id, _) in bad)
        {
            var reconnects = PipelineSettings.Sample(after, $"streamanalytics_ingest_reconnects_total{{camera=\"{id}\"}}");
            Assert.Equal(0, PipelineSettings.Sample(after, $"streamanalytics_ingest_camera_up{{camera=\"{id}\"}}"));
            Assert.Equal(0, PipelineSettings.Sample(after, $"streamanalytics_ingest_frames_decoded_total{{camera=\"{id}\"}}"));
            Assert.True(PipelineSettings.Sample(after, $"streamanalytics_ingest_decode_errors_total{{camera=\"{id}\"}}") >= 2, CameraLines(after, id));
            Assert.True(reconnects >= 2, $"camera {id} did not retry: {reconnects} reconnects in {runSeconds:0} s");
            Assert.True(reconnects <= maxReconnects, $"camera {id} reconnected {reconnects} times in {runSeconds:0} s; backoff from {InitialDelaySeconds} s to {MaxDelaySeconds} s allows at most {maxReconnects}");
            AssertBackoff(id, logLines, stoppedSeconds);
            Assert.NotNull(lastErrors[id]);
        }

        Assert.Contains("Invalid data", lastErrors["truncated"], StringComparison.Ordinal);
        Assert.True(decodersWhileRunning.Count >= good.Length, "the scan should see each good camera's ffmpeg: " + string.Join(", ", decodersWhileRunning));
        Assert.True(decodersAfterStop.Count == 0, "decoder processes left after the pipeline stopped: " + string.Join(", ", decodersAfterStop));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Each attempt's logged delay lies in its backoff range, attempts count up from 1, and the delays were really waited.</summary>
    private static void AssertBackoff(string cameraId, IReadOnlyList<string> logLines, double runSeconds)
    {
        var attempts = logLines
            .Select(line => ReconnectLine().Match(line))
            .Where(m => m.Success && m.Groups["camera"].Value == cameraId)
            .Select(m => (Attempt: int.Parse(m.Groups["attempt"].Value, CultureInfo.InvariantCulture), Delay: double.Parse(m.Groups["delay"].Value, CultureInfo.InvariantCulture)))
            .ToList();
        var described = string.Join(", ", attempts.Select(a => $"#{a.Attempt}: {a.Delay} s"));
        Assert.True(attempts.Count >= 2, $"camera {cameraId}: reconnect log lines: {described}");
        for (var i = 0; i < attempts.Count; i++)
        {
            var (attempt, delay) = attempts[i];
            var ceiling = Math.Min(MaxDelaySeconds, InitialDelaySeconds * Math.Pow(2, i));
            Assert.True(attempt == i + 1, $"camera {cameraId}: attempts should count 1, 2, 3, …: {described}");
            Assert.True(delay >= (ceiling / 2) - LoggedRounding && delay <= ceiling + LoggedRounding, $"camera {cameraId}: attempt {attempt} waited {delay} s, outside [{ceiling / 2}, {ceiling}] s: {described}");
        }

        var waited = attempts.Take(attempts.Count - 1).Sum(a => a.Delay);
        Assert.True(waited <= runSeconds, $"camera {cameraId}: {waited:0.0} s of completed backoff cannot fit in {runSeconds:0.0} s: {described}");
    }

    /// <summary>
    /// The most reconnects that fit in <paramref name="seconds"/> if every delay were the shortest its
    /// backoff step allows (half its ceiling): the n-th reconnect comes after n-1 completed delays.
    /// A hot loop would reach hundreds.
    /// </summary>
    private static int MostReconnectsPossible(double seconds)
    {
        var reconnects = 1;
        var elapsed = 0.0;
        while (true)
        {
            elapsed += Math.Min(MaxDelaySeconds, InitialDelaySeconds * Math.Pow(2, reconnects - 1)) / 2;
            if (elapsed > seconds)
            {
                return reconnects;
            }

            reconnects++;
        }
    }

    private static double Delta(string before, string after, string sample) =>
        PipelineSettings.Sample(after, sample) - PipelineSettings.Sample(before, sample);

    private static string CameraLines(string metrics, string cameraId) =>
        string.Join(Environment.NewLine, metrics.Split('\n').Where(l => l.Contains($"camera=\"{cameraId}\"", StringComparison.Ordinal)));

    /// <summary>The first <paramref name="fraction"/> of a real recording, as a copy cut off mid-transfer would be (the index is at the end, so it is lost).</summary>
    private async Task<string> TruncatedCopyAsync(string source, double fraction, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(source, cancellationToken);
        var path = Path.Combine(_folder, "truncated.mp4");
        await File.WriteAllBytesAsync(path, bytes.AsMemory(0, (int)(bytes.Length * fraction)).ToArray(), cancellationToken);
        return path;
    }

    [GeneratedRegex(@"Camera (?<camera>[A-Za-z0-9_-]+): .*; reconnecting in (?<delay>\d+(\.\d+)?) s \(attempt (?<attempt>\d+)\)$")]
    private static partial Regex ReconnectLine();
}
