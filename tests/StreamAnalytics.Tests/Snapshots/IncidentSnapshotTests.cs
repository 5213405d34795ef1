using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;
using OpenCvSharp;
using Prometheus;
using StreamAnalytics.Configuration;
using StreamAnalytics.Detection;
using StreamAnalytics.Hosting;
using StreamAnalytics.Inference;
using StreamAnalytics.Ingest;
using StreamAnalytics.Observability;
using StreamAnalytics.Publishing;
using StreamAnalytics.Snapshots;
using StreamAnalytics.Tests.Detection;
using StreamAnalytics.Tests.Fakes;
using StreamAnalytics.Tests.Support;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Snapshots;

[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class IncidentSnapshotTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private static readonly ModelManifest ScoreModel = new(
        "scorer", "1.0", "/models/scorer/model.json", "/models/scorer/s.onnx",
        new ModelInputSpec("x", TensorLayout.Nchw, 1, new FrameTensorFormat(8, 8, ColorOrder.Bgr, 1f, [0, 0, 0], [1, 1, 1])),
        [new ModelOutputSpec("score", OutputRole.AnomalyScore, [])]);

    // Window 1 starts an incident (peak 0.7), window 2 raises the peak to 0.9, windows 4 and 5 are below: it ends at 5.
    private static readonly double[] Scores = [0.1, 0.7, 0.9, 0.8, 0.2, 0.2, 0.1];

    private readonly PipelineMetrics _metrics = new(Metrics.NewCustomRegistry());
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 6, 1, 0, 0, 0, TimeSpan.Zero));
    private readonly TempDirectory _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void In_base64_mode_every_message_of_an_incident_carries_its_peak_frame_as_a_jpeg_within_MaxBytes()
    {
        var snapshot = new SnapshotOptions { Enabled = true, Mode = SnapshotOptions.Base64Mode, MaxBytes = 30_000, Quality = 85, MaxWidth = 240 };
        var capture = new SnapshotCapture(snapshot.MaxWidth);
        var (events, frames) = RunIncident(snapshot, capture);

        Assert.Equal(["start", "update", "update", "update", "end"], events.Select(e => e.Phase).ToArray());

        // The start shows the peak so far (window 1, frame 2); from window 2 on, the peak is frame 3.
        Assert.Equal([2L, 3L, 3L, 3L, 3L], events.Select(e => e!.Snapshot!.Frame).ToArray());
        foreach (var e in events)
        {
            var s = e.Snapshot!;
            Assert.Null(s.Path);
            Assert.Null(s.Omitted);
            var jpeg = Convert.FromBase64String(s.Data!);
            Assert.Equal(jpeg.Length, s.Bytes);
            Assert.InRange(jpeg.Length, 1000, snapshot.MaxBytes);
            using var decoded = Cv2.ImDecode(jpeg, ImreadModes.Color);
            Assert.Equal((240, 160), (decoded.Width, decoded.Height));
            Assert.Equal((240, 160), (s.Width, s.Height));
            Assert.Equal(TestFrames.CaptureTimeOf(s.Frame), s.CaptureTime);
        }

        // Encoded once per peak frame, however many messages carry it.
        Assert.Same(events[1].Snapshot, events[4].Snapshot);

        using var json = JsonDocument.Parse(EventSerializer.Serialize(events[4]));
        var payload = json.RootElement.GetProperty("snapshot");
        Assert.Equal(["contentType", "frame", "captureTime", "width", "height", "quality", "bytes", "data"], payload.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("image/jpeg", payload.GetProperty("contentType").GetString());
        Assert.Equal(3, payload.GetProperty("frame").GetInt64());
        Assert.Equal(EventPayload.CurrentSchemaVersion, json.RootElement.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(EventSerializer.ToPayload(events[4]), EventSerializer.Deserialize(EventSerializer.Serialize(events[4])));

        AssertAllReturned(frames, capture);
    }

    [Fact]
    public void In_path_mode_the_event_names_a_jpeg_file_in_the_snapshot_folder()
    {
        var snapshot = new SnapshotOptions { Enabled = true, Mode = SnapshotOptions.PathMode, Directory = _folder.Path, MaxBytes = 30_000, MaxWidth = null };
        var capture = new SnapshotCapture(snapshot.MaxWidth);
        var (events, frames) = RunIncident(snapshot, capture);

        var paths = events.Select(e => e.Snapshot!.Path!).ToArray();
        Assert.Equal(2, paths.Distinct().Count());
        foreach (var e in events)
        {
            var s = e.Snapshot!;
            Assert.Null(s.Data);
            Assert.StartsWith(Path.Combine(_folder.Path, "walkway") + Path.DirectorySeparatorChar, s.Path, StringComparison.Ordinal);
            var jpeg = File.ReadAllBytes(s.Path!);
            Assert.Equal([0xFF, 0xD8, 0xFF], jpeg[..3]);
            Assert.Equal(jpeg.Length, s.Bytes);
            Assert.InRange(jpeg.Length, 1000, snapshot.MaxBytes);
            using var decoded = Cv2.ImDecode(jpeg, ImreadModes.Color);
            Assert.Equal((RealFrames.Width, RealFrames.Height), (decoded.Width, decoded.Height));
        }

        Assert.Equal(2, Directory.GetFiles(Path.Combine(_folder.Path, "walkway")).Length);
        using var json = JsonDocument.Parse(EventSerializer.Serialize(events[0]));
        Assert.Equal(paths[0], json.RootElement.GetProperty("snapshot").GetProperty("path").GetString());
        AssertAllReturned(frames, capture);
    }

    [Fact]
    public void Snapshots_are_off_by_default_and_then_no_frame_is_kept_and_no_snapshot_field_is_sent()
    {
        var configuration = CommandLine.BuildConfiguration(["--config", RepositoryRoot.Path("appsettings.json")]);
        var shipped = configuration.GetSection(StreamAnalyticsOptions.SectionName).Get<StreamAnalyticsOptions>()!;
        Assert.False(shipped.Detection.Snapshot.Enabled);
        Assert.False(new StreamAnalyticsOptions().Detection.Snapshot.Enabled);
        Assert.All(shipped.Cameras, c => Assert.Null(SnapshotCapture.For(c, shipped.Detection.Snapshot)));
        Assert.NotNull(SnapshotCapture.For(new CameraOptions { Snapshot = new() { Enabled = true } }, shipped.Detection.Snapshot));
        Assert.Null(SnapshotCapture.For(new CameraOptions { Snapshot = new() { Enabled = false } }, new SnapshotOptions { Enabled = true }));

        // Windowing without a capture keeps no copy.
        var pool = new FramePool("walkway", RealFrames.Width, RealFrames.Height);
        using (var windowing = new CameraWindowing("walkway", new WindowSchedule(1, 0, 1), ScoreModel.Input.Format, metrics: null))
        {
            var window = windowing.Process(RealFrames.Rent(pool, 1, RealFrames.Ped2[0]))!;
            Assert.Null(window.Snapshot);
            window.Release();
        }

        var stage = new DetectionWithHeads(new DetectionStage(Options(new SnapshotOptions()), _metrics, _time, new CapturingLogger()), Options(new SnapshotOptions()));
        var events = Scores.Select((score, i) => Result(i, score, snapshot: null)).SelectMany(stage.Evaluate).ToList();

        Assert.Equal(5, events.Count);
        Assert.All(events, e => Assert.Null(e.Snapshot));
        using var json = JsonDocument.Parse(EventSerializer.Serialize(events[0]));
        Assert.False(json.RootElement.TryGetProperty("snapshot", out _));
    }

    [Fact]
    public void A_snapshot_above_MaxBytes_is_made_smaller_or_left_out_and_the_event_says_so()
    {
        // Noise compresses badly: the configured quality cannot fit, so quality and then size come down.
        var pool = new FramePool("noise", 640, 360);
        using var frame = pool.Rent();
        new Random(3).NextBytes(frame.Pixels);
        frame.Sequence = 9;
        var capture = new SnapshotCapture(maxWidth: null);
        var logger = new CapturingLogger();

        var fitted = capture.Capture(frame);
        var fits = new IncidentSnapshots(new SnapshotOptions { Mode = SnapshotOptions.Base64Mode, MaxBytes = 40_000, Quality = 95 }, new Dictionary<string, CameraOptions>(), logger).Describe("noise", fitted)!;
        Assert.Null(fits.Omitted);
        Assert.InRange(Convert.FromBase64String(fits.Data!).Length, 1, 40_000);
        Assert.True(fits.Quality < 95 || fits.Width < 640, $"quality {fits.Quality}, width {fits.Width}");

        var tooLarge = capture.Capture(frame);
        var omitted = new IncidentSnapshots(new SnapshotOptions { Mode = SnapshotOptions.Base64Mode, MaxBytes = 300 }, new Dictionary<string, CameraOptions>(), logger).Describe("noise", tooLarge)!;
        Assert.Equal(IncidentSnapshots.TooLarge, omitted.Omitted);
        Assert.Null(omitted.Data);
        Assert.Equal(0, omitted.Bytes);
        Assert.Contains(logger.Entries, e => e.Message.Contains("does not fit 300 bytes", StringComparison.Ordinal));

        var e = new DetectionEvent(Guid.CreateVersion7(), "noise", EventType.Anomaly, "motion", 1, 0.5, 9, 9, T0, T0, "m", "1", T0) { Snapshot = omitted };
        using var json = JsonDocument.Parse(EventSerializer.Serialize(e));
        var payload = json.RootElement.GetProperty("snapshot");
        Assert.Equal(IncidentSnapshots.TooLarge, payload.GetProperty("omitted").GetString());
        Assert.False(payload.TryGetProperty("data", out _));
        Assert.False(payload.TryGetProperty("path", out _));

        fitted.Release();
        tooLarge.Release();
    }

    private static DetectionOptions Options(SnapshotOptions snapshot) => new()
    {
        Anomaly = new AnomalyOptions { Threshold = 0.5, CooldownSeconds = 0 },
        Lifecycle = new EventLifecycleOptions { ExitWindows = 2, UpdateIntervalSeconds = 0 },
        Snapshot = snapshot,
    };

    /// <summary>Windows of real frames, each carrying its copied last frame as windowing and inference hand it on.</summary>
    private (List<DetectionEvent> Events, List<SnapshotFrame> Frames) RunIncident(SnapshotOptions snapshot, SnapshotCapture capture)
    {
        var pool = new FramePool("walkway", RealFrames.Width, RealFrames.Height);
        var frames = new List<SnapshotFrame>();
        var results = new List<WindowInference>();
        for (var i = 0; i < Scores.Length; i++)
        {
            using var frame = RealFrames.Rent(pool, i + 1, RealFrames.Ped2[i]);
            frames.Add(capture.Capture(frame));
            results.Add(Result(i, Scores[i], frames[^1]));
        }

        var stage = new DetectionWithHeads(new DetectionStage(Options(snapshot), _metrics, _time, new CapturingLogger()), Options(snapshot));
        return ([.. results.SelectMany(stage.Evaluate)], frames);
    }

    private static WindowInference Result(int index, double score, SnapshotFrame? snapshot) => new(
        "walkway", index, index + 1, index + 1, TestFrames.CaptureTimeOf(index + 1), TestFrames.CaptureTimeOf(index + 1), ScoreModel, [[(float)score]])
    {
        Snapshot = snapshot,
    };

    /// <summary>Once the incident ended, nothing holds a snapshot buffer: renting as many again allocates none.</summary>
    private static void AssertAllReturned(List<SnapshotFrame> frames, SnapshotCapture capture)
    {
        Assert.All(frames, f => Assert.Equal(0, f.References));
        var created = capture.Pool!.Created;
        var again = frames.Select(_ => capture.Pool.Rent()).ToList();
        Assert.Equal(created, capture.Pool.Created);
        again.ForEach(f => f.Release());
    }
}
