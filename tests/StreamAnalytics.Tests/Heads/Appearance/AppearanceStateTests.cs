using StreamAnalytics.Configuration;
using StreamAnalytics.Contracts;
using StreamAnalytics.Heads.Appearance;
using StreamAnalytics.Inference;
using StreamAnalytics.Tests.Fakes;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Heads.Appearance;

/// <summary>A camera's appearance calibration survives a restart, and is refused when it no longer fits.</summary>
public sealed class AppearanceStateTests : IDisposable
{
    private static readonly ModelInputSpec Input = new("x", TensorLayout.Nchw, 1, new FrameTensorFormat(8, 8, ColorOrder.Rgb, 1f, [0, 0, 0], [1, 1, 1]));

    private static readonly ModelManifest Encoder = new(
        "encoder", "1.0", "/models/enc/model.json", "/models/enc/e.onnx", Input,
        [new ModelOutputSpec("embedding", OutputRole.Embedding, [])]);

    private static readonly AnomalyOptions Options = new() { CalibrationWindows = 4, MinThreshold = 0 };

    private readonly TempDirectory _state = new();

    public void Dispose() => _state.Dispose();

    private static float[] Embedding(int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, 16).Select(_ => (float)random.NextDouble())];
    }

    private static readonly DateTimeOffset Start = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);

    private static List<HeadResult> Evaluate(AppearanceWindowHead head, string camera, float[] embedding, ModelManifest? model = null, DateTimeOffset? time = null)
    {
        var results = new List<HeadResult>();
        head.Evaluate(new WindowOutputs(camera, 0, time ?? Start, model ?? Encoder, [embedding], null), results);
        return results;
    }

    /// <summary>Camera "gate"'s calibration windows, one per embedding seed.</summary>
    private static void Calibrate(AppearanceWindowHead head)
    {
        for (var i = 0; i < Options.CalibrationWindowCount; i++)
        {
            Evaluate(head, "gate", Embedding(i));
        }
    }

    [Fact]
    public void A_restarted_head_scores_at_once_as_the_calibrated_one_did()
    {
        var log = new CapturingLogger();
        using var first = new AppearanceWindowHead(Options, log, _state.Path);
        for (var i = 0; i < Options.CalibrationWindowCount; i++)
        {
            Assert.Empty(Evaluate(first, "gate", Embedding(i)));
        }

        var before = Assert.Single(Evaluate(first, "gate", Embedding(99)));
        Assert.True(File.Exists(AppearanceStateFile.PathFor(_state.Path, "gate")));
        var learned = Assert.Single(log.Entries, e => e.Message.Contains("Camera gate: appearance head learned what is normal from 4 windows; threshold ", StringComparison.Ordinal));
        Assert.Contains(before.Threshold.ToString("F3", System.Globalization.CultureInfo.InvariantCulture), learned.Message, StringComparison.Ordinal);

        using var restarted = new AppearanceWindowHead(Options, log, _state.Path);
        var after = Assert.Single(Evaluate(restarted, "gate", Embedding(99)));

        Assert.Equal(before, after);
        Assert.Equal(1, restarted.LearningProgress("gate"));
        Assert.Contains(log.Entries, e => e.Message.Contains("Camera gate: appearance head resumes from its saved calibration (4 windows", StringComparison.Ordinal));
    }

    [Fact]
    public void A_calibration_from_another_model_or_of_another_length_is_refused_and_the_camera_calibrates_again()
    {
        using (var first = new AppearanceWindowHead(Options, new CapturingLogger(), _state.Path))
        {
            Calibrate(first);
        }

        var log = new CapturingLogger();
        using var otherModel = new AppearanceWindowHead(Options, log, _state.Path);
        Assert.Empty(Evaluate(otherModel, "gate", Embedding(99), Encoder with { Version = "2.0" }));
        Assert.Contains(log.Entries, e => e.Message.Contains("saved appearance calibration is refused", StringComparison.Ordinal) && e.Message.Contains("model encoder 1.0", StringComparison.Ordinal));

        var longer = new CapturingLogger();
        using var moreWindows = new AppearanceWindowHead(new AnomalyOptions { CalibrationWindows = 5, MinThreshold = 0 }, longer, _state.Path);
        Assert.Empty(Evaluate(moreWindows, "gate", Embedding(99)));
        Assert.Contains(longer.Entries, e => e.Message.Contains("it holds 4 windows and Detection.Anomaly.CalibrationWindows is 5", StringComparison.Ordinal));
    }

    [Fact]
    public void Forgetting_a_camera_deletes_its_calibration_and_a_damaged_file_is_refused()
    {
        var path = AppearanceStateFile.PathFor(_state.Path, "gate");
        using (var head = new AppearanceWindowHead(Options, new CapturingLogger(), _state.Path))
        {
            Calibrate(head);

            Assert.True(File.Exists(path));
            head.Forget("gate");
            Assert.False(File.Exists(path));
            Assert.Null(head.LearningProgress("gate"));
        }

        File.WriteAllBytes(path, [.. "SAAPPEAR"u8, 1, 0, 0, 0, 4]);
        var log = new CapturingLogger();
        using var again = new AppearanceWindowHead(Options, log, _state.Path);
        Assert.Empty(Evaluate(again, "gate", Embedding(99)));
        Assert.Contains(log.Entries, e => e.Message.Contains("saved appearance calibration is refused", StringComparison.Ordinal));
    }

    [Fact]
    public void A_refreshed_calibration_is_saved_and_a_restart_resumes_from_it()
    {
        var options = new AnomalyOptions { CalibrationWindows = 4, MinThreshold = 0, RefreshMinutes = 1 };
        var log = new CapturingLogger();
        var path = AppearanceStateFile.PathFor(_state.Path, "gate");
        using var head = new AppearanceWindowHead(options, log, _state.Path);
        var t = Start;
        for (var i = 0; i < options.CalibrationWindowCount; i++)
        {
            Evaluate(head, "gate", Embedding(i), time: t);
            t += TimeSpan.FromSeconds(1);
        }

        var calibration = File.ReadAllBytes(path);

        // A minute of windows like the first one (distance 0: quiet) is offered at the refresh. They and the first window
        // cover one another, so two of the three leave again: the set keeps all it covered, and is saved in its new order.
        for (var s = 0; s < 60; s++)
        {
            Assert.False(Assert.Single(Evaluate(head, "gate", Embedding(0), time: t)).Above);
            t += TimeSpan.FromSeconds(1);
        }

        Assert.Contains(log.Entries, e => e.Message.Contains("Camera gate: appearance calibration refreshed from quiet windows (60 seen", StringComparison.Ordinal));
        Assert.NotEqual(calibration, File.ReadAllBytes(path));
        var (saved, spread, _) = AppearanceStateFile.Load(path, "gate", "model encoder 1.0, output embedding of 16");
        Assert.Equal(4, saved.Count);
        Assert.NotNull(spread);

        var refreshed = Assert.Single(Evaluate(head, "gate", Embedding(99), time: t));
        using var restarted = new AppearanceWindowHead(options, new CapturingLogger(), _state.Path);
        Assert.Equal(refreshed, Assert.Single(Evaluate(restarted, "gate", Embedding(99), time: t)));
    }

    [Fact]
    public void A_lasting_change_is_learned_counted_saved_and_resumed()
    {
        var options = new AnomalyOptions { CalibrationWindows = 4, MinThreshold = 0, RefreshMinutes = 0, LastingChangeMinutes = 2 };
        var metrics = new StreamAnalytics.Observability.PipelineMetrics(Prometheus.Metrics.NewCustomRegistry());
        var log = new CapturingLogger();
        var path = AppearanceStateFile.PathFor(_state.Path, "gate");
        using var head = new AppearanceWindowHead(options, log, _state.Path, metrics.AppearanceRelearned);
        var t = Start;
        for (var i = 0; i < options.CalibrationWindowCount; i++)
        {
            Evaluate(head, "gate", Embedding(i), time: t);
            t += TimeSpan.FromSeconds(1);
        }

        var calibration = File.ReadAllBytes(path);

        // Something new stays in view (all positive embeddings, this one negative), a window every 2 s: it alerts for
        // two minutes of footage, then it is the scene.
        float[] parked = [.. Embedding(99).Select(v => -v)];
        var alerting = 0;
        for (var s = 0; s < 90; s++)
        {
            alerting += Assert.Single(Evaluate(head, "gate", parked, time: t)).Above ? 1 : 0;
            t += TimeSpan.FromSeconds(2);
        }

        Assert.Equal(61, alerting);
        Assert.Contains(log.Entries, e => e.Message.Contains("Camera gate: a change that alerted for 2.0 minutes is now learned as normal", StringComparison.Ordinal));
        Assert.Equal(1, metrics.AppearanceRelearned.WithLabels("gate", "lasting_change").Value);
        Assert.Equal(0, metrics.AppearanceRelearned.WithLabels("gate", "refresh").Value);
        Assert.NotEqual(calibration, File.ReadAllBytes(path));

        // A restart resumes with the change learned: it does not alert again.
        using var restarted = new AppearanceWindowHead(options, new CapturingLogger(), _state.Path);
        Assert.False(Assert.Single(Evaluate(restarted, "gate", parked, time: t)).Above);

        // The change took the whole calibration's place: the scene as it was before is a change in turn.
        Assert.True(Assert.Single(Evaluate(restarted, "gate", Embedding(0), time: t)).Above);
    }

    [Fact]
    public void A_format_1_calibration_is_still_read_and_its_spread_learned_from_its_windows()
    {
        var path = AppearanceStateFile.PathFor(_state.Path, "gate");
        using (var first = new AppearanceWindowHead(Options, new CapturingLogger(), _state.Path))
        {
            Calibrate(first);
        }

        // The same calibration as the build before this one wrote it: no spread after the model key.
        var (normal, _, _) = AppearanceStateFile.Load(path, "gate", "model encoder 1.0, output embedding of 16");
        WriteOlderFormat(path, 1, null, normal);

        var log = new CapturingLogger();
        using var restarted = new AppearanceWindowHead(Options, log, _state.Path);
        var score = Assert.Single(Evaluate(restarted, "gate", Embedding(99)));

        var expected = AnomalyDetector.Restore(Options.CalibrationWindowCount, null, Options.Sigma, Options.MinThreshold, normal);
        Assert.Equal(expected.Threshold, score.Threshold);
        Assert.Contains(log.Entries, e => e.Message.Contains("appearance head resumes from its saved calibration", StringComparison.Ordinal));
    }

    [Fact]
    public void A_format_2_calibration_is_resumed_as_it_was()
    {
        var path = AppearanceStateFile.PathFor(_state.Path, "gate");
        HeadResult before;
        using (var first = new AppearanceWindowHead(Options, new CapturingLogger(), _state.Path))
        {
            Calibrate(first);
            before = Assert.Single(Evaluate(first, "gate", Embedding(99)));
        }

        // As the build before cell scales wrote it: the spread, then straight to the windows.
        var (normal, spread, _) = AppearanceStateFile.Load(path, "gate", "model encoder 1.0, output embedding of 16");
        WriteOlderFormat(path, 2, spread, normal);

        using var restarted = new AppearanceWindowHead(Options, new CapturingLogger(), _state.Path);
        Assert.Equal(before, Assert.Single(Evaluate(restarted, "gate", Embedding(99))));
    }

    /// <summary>Camera "gate"'s calibration as an older build wrote it: format 1 without a spread, format 2 with one, neither with cell scales.</summary>
    private static void WriteOlderFormat(string path, int version, AnomalySpread? spread, List<float[]> normal)
    {
        using var writer = new BinaryWriter(File.Create(path));
        writer.Write("SAAPPEAR"u8);
        writer.Write(version);
        writer.Write("gate");
        writer.Write("model encoder 1.0, output embedding of 16");
        if (spread is { } s)
        {
            writer.Write(s.Mean);
            writer.Write(s.Std);
        }

        writer.Write(normal.Count);
        writer.Write(normal[0].Length);
        foreach (var value in normal.SelectMany(e => e))
        {
            writer.Write(value);
        }
    }

    [Fact]
    public void A_calibration_written_while_an_old_one_exists_replaces_it_whole()
    {
        var path = AppearanceStateFile.PathFor(_state.Path, "gate");
        var old = Enumerable.Range(0, 4).Select(Embedding).ToList();
        AppearanceStateFile.Save(path, "gate", "model m 1, output e of 16", old, new AnomalySpread(0.1, 0.01));
        var fresh = Enumerable.Range(10, 4).Select(Embedding).ToList();

        AppearanceStateFile.Save(path, "gate", "model m 1, output e of 16", fresh, new AnomalySpread(0.2, 0.02));

        var (normal, spread, _) = AppearanceStateFile.Load(path, "gate", "model m 1, output e of 16");
        Assert.Equal(fresh, normal);
        Assert.Equal(new AnomalySpread(0.2, 0.02), spread);
        Assert.False(File.Exists(path + ".tmp"));
        Assert.Throws<InvalidDataException>(() => AppearanceStateFile.Load(path, "other", "model m 1, output e of 16"));
    }
}
