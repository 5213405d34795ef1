using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Prometheus;
using StreamAnalytics.Configuration;
using StreamAnalytics.Contracts;
using StreamAnalytics.Detection;
using StreamAnalytics.Heads.Action;
using StreamAnalytics.Inference;
using StreamAnalytics.Observability;
using StreamAnalytics.Tests.Fakes;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Detection;

public sealed class DetectionStageTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private static readonly ModelInputSpec Input = new("x", TensorLayout.Nchw, 1, new FrameTensorFormat(8, 8, ColorOrder.Rgb, 1f, [0, 0, 0], [1, 1, 1]));

    private static readonly ModelManifest ActionModel = new(
        "actions", "3.0", "/models/actions/model.json", "/models/actions/a.onnx", Input,
        [new ModelOutputSpec("logits", OutputRole.ClassLogits, ["fall", "fight", "walk"])]);

    private static readonly ModelManifest ScoreModel = new(
        "scorer", "1.0", "/models/scorer/model.json", "/models/scorer/s.onnx", Input,
        [new ModelOutputSpec("score", OutputRole.AnomalyScore, [])]);

    private static readonly ModelManifest EncoderModel = new(
        "encoder", "1.0", "/models/enc/model.json", "/models/enc/e.onnx", Input,
        [new ModelOutputSpec("embedding", OutputRole.Embedding, [])]);

    /// <summary>A per-frame encoder as the fight head needs it: the map is empty on the window (InferenceStage skips it).</summary>
    private static readonly ModelManifest FeatureMapEncoder = new(
        "resnet18-imagenet", "0.23.1", "/models/resnet18/model-featuremap.json", "/models/resnet18/ResNet18.onnx", Input,
        [new ModelOutputSpec("embedding", OutputRole.Embedding, []), new ModelOutputSpec("map", OutputRole.FeatureMap, [])]);

    private static readonly ModelManifest FightHead = new(
        "fight-detector", "1.0.0", "/models/fight/model.json", "/models/fight/head.onnx",
        new ModelInputSpec("features", TensorLayout.Features, 32, null, new FeatureInputSpec(ClipFeatureRecipe.TemporalStatsV1, "resnet18-imagenet", 4100)),
        [new ModelOutputSpec("logits", OutputRole.ClassLogits, ["fight", "noFight"])]);

    private readonly PipelineMetrics _metrics = new(Metrics.NewCustomRegistry());
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 6, 1, 0, 0, 0, TimeSpan.Zero));

    private DetectionWithHeads NewStage(DetectionOptions options) => new(new DetectionStage(options, _metrics, _time, new CapturingLogger()), options);

    private static DetectionOptions Options(double actionCooldown = 10, double anomalyCooldown = 10, double? anomalyThreshold = null, EventLifecycleOptions? lifecycle = null) => new()
    {
        Action = new ActionOptions { Thresholds = new() { ["fall"] = 0.5, ["fight"] = 0.5 }, CooldownSeconds = actionCooldown },
        Anomaly = new AnomalyOptions { CalibrationWindows = 3, Threshold = anomalyThreshold, CooldownSeconds = anomalyCooldown, MinThreshold = 0 },
        Lifecycle = lifecycle ?? new EventLifecycleOptions { ExitWindows = 1, UpdateIntervalSeconds = 1000 },
    };

    /// <summary>A window of camera <paramref name="camera"/> whose last frame was captured <paramref name="seconds"/> after T0.</summary>
    private static WindowInference Result(string camera, double seconds, ModelManifest model, float[] output, long index = 0) => new(
        camera,
        index,
        (index * 10) + 1,
        (index * 10) + 8,
        T0.AddSeconds(seconds - 1),
        T0.AddSeconds(seconds),
        model,
        [output]);

    /// <summary>A window of the feature-map encoder, with the fight head's verdict on its logits.</summary>
    private static WindowInference HeadResult(DetectionWithHeads stage, double seconds, float[] logits, long index = 0) =>
        stage.WithActionHead(Result("door", seconds, FeatureMapEncoder, [1f, 0f, 0f, 0f], index) with { Outputs = [[1f, 0f, 0f, 0f], []] }, FightHead, ["fight", "noFight"], logits);

    private static float[] Fall => [5f, 0f, 0f];

    private static float[] Fight => [0f, 5f, 0f];

    private static float[] Walk => [0f, 0f, 5f];

    [Fact]
    public void An_action_event_carries_the_window_model_and_time()
    {
        var stage = NewStage(Options());

        var detected = Assert.Single(stage.Evaluate(Result("door", 3, ActionModel, Fall, index: 4)));

        Assert.Equal("door", detected.CameraId);
        Assert.Equal(EventType.Action, detected.Type);
        Assert.Equal("fall", detected.Label);
        Assert.InRange(detected.Score, 0.98, 1.0);
        Assert.Equal(0.5, detected.Threshold);
        Assert.Equal(41, detected.FirstSequence);
        Assert.Equal(48, detected.LastSequence);
        Assert.Equal(T0.AddSeconds(2), detected.FirstCaptureTime);
        Assert.Equal(T0.AddSeconds(3), detected.LastCaptureTime);
        Assert.Equal("actions", detected.ModelName);
        Assert.Equal("3.0", detected.ModelVersion);
        Assert.Equal(("softmax-threshold", "1"), (detected.HeadName, detected.HeadVersion));
        Assert.Equal(_time.GetUtcNow(), detected.DetectedAt);
        Assert.Equal(7, detected.EventId.Version);
        Assert.Equal(1, _metrics.EventsDetected.WithLabels("door", EventType.Action).Value);
    }

    [Fact]
    public void Incident_start_and_end_are_logged_for_the_console_and_updates_only_at_debug()
    {
        var logger = new CapturingLogger();
        var options = Options(lifecycle: new EventLifecycleOptions { ExitWindows = 1, UpdateIntervalSeconds = 0 });
        var stage = new DetectionWithHeads(new DetectionStage(options, _metrics, _time, logger), options);

        stage.Evaluate(Result("door", 0, ActionModel, Fall));
        stage.Evaluate(Result("door", 1, ActionModel, Fall));
        stage.Evaluate(Result("door", 2, ActionModel, Walk));

        var incidents = logger.Entries.Where(e => e.Message.StartsWith("Incident ", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, incidents.Count);
        Assert.StartsWith("Incident start: camera door action/fall score 0.9", incidents[0].Message, StringComparison.Ordinal);
        Assert.EndsWith("(threshold 0.5), head softmax-threshold", incidents[0].Message, StringComparison.Ordinal);
        Assert.Equal([LogLevel.Information, LogLevel.Debug, LogLevel.Information], incidents.Select(e => e.Level));
        Assert.StartsWith("Incident end: camera door action/fall", incidents[2].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Action_head_logits_above_the_threshold_open_an_incident_named_after_the_head()
    {
        var stage = NewStage(Options());

        // p(fight) = sigmoid(6) ≈ 0.9975 ≥ 0.5; the embedding only starts the anomaly detector's calibration.
        var start = Assert.Single(stage.Stage.Evaluate(HeadResult(stage, 3, [3f, -3f], index: 4)));
        var end = Assert.Single(stage.Stage.Evaluate(HeadResult(stage, 4, [-3f, 3f], index: 5)));

        Assert.Equal((EventType.Action, "fight", "start"), (start.Type, start.Label, start.Phase));
        Assert.InRange(start.Score, 0.997, 0.998);
        Assert.Equal(0.5, start.Threshold);
        Assert.Equal(("fight-detector", "1.0.0"), (start.HeadName, start.HeadVersion));
        Assert.Equal(("resnet18-imagenet", "0.23.1"), (start.ModelName, start.ModelVersion));
        Assert.Equal((41L, 48L), (start.FirstSequence, start.LastSequence));
        Assert.Equal("end", end.Phase);
        Assert.Equal(start.EventId, end.EventId);
        Assert.Equal(("fight-detector", "1.0.0"), (end.HeadName, end.HeadVersion));
        Assert.Equal(2, _metrics.EventsDetected.WithLabels("door", EventType.Action).Value);
    }

    [Fact]
    public void Action_head_logits_below_the_threshold_raise_nothing()
    {
        var options = Options();
        options.Anomaly.Enabled = false;
        var stage = NewStage(options);

        // p(fight) = sigmoid(-2) ≈ 0.12, window after window; noFight has no threshold.
        for (var i = 0; i < 5; i++)
        {
            Assert.Empty(stage.Stage.Evaluate(HeadResult(stage, i, [-1f, 1f], index: i)));
        }

        Assert.Equal(0, _metrics.EventsDetected.WithLabels("door", EventType.Action).Value);
    }

    [Fact]
    public void Walk_has_no_threshold_and_raises_nothing()
    {
        var stage = NewStage(Options());

        Assert.Empty(stage.Evaluate(Result("door", 0, ActionModel, Walk)));
        Assert.Equal(0, _metrics.EventsDetected.WithLabels("door", EventType.Action).Value);
    }

    [Fact]
    public void An_incident_enters_on_k_of_m_updates_at_its_interval_ends_after_l_below_and_cools_down_on_capture_time()
    {
        var stage = NewStage(Options(actionCooldown: 10, lifecycle: new EventLifecycleOptions { EnterWindows = 2, EnterOf = 3, ExitWindows = 2, UpdateIntervalSeconds = 5 }));
        var messages = new List<DetectionEvent>();

        void Evaluate(string camera, double seconds, float[] logits, long index)
        {
            messages.AddRange(stage.Evaluate(Result(camera, seconds, ActionModel, logits, index)).Where(e => e.Label == "fall"));
            // The wall clock races ahead; only capture times count.
            _time.Advance(TimeSpan.FromMinutes(5));
        }

        Evaluate("door", 0, Fall, 0);   // 1 of 3 above: not yet
        Evaluate("door", 1, Walk, 1);   // 1 of 3
        Evaluate("door", 2, Fall, 2);   // 2 of 3: start, from the first window above (index 0)
        Evaluate("yard", 2, Fall, 0);   // another camera: its own state, 1 of 3
        Evaluate("door", 3, Fall, 3);   // 1 s after the start: no update yet
        Evaluate("door", 7, Fall, 4);   // 5 s after the start: update
        Evaluate("door", 8, Walk, 5);   // 1 below
        Evaluate("door", 9, Walk, 6);   // 2 below: end
        Evaluate("door", 10, Fall, 7);  // cooling down until 19 s
        Evaluate("door", 11, Fall, 8);
        Evaluate("door", 19, Fall, 9);  // cooled, and 2 of the last 3 above: a new incident

        Assert.Equal(
            [("start", 2.0, 1L), ("update", 7.0, 1L), ("end", 9.0, 1L), ("start", 19.0, 71L)],
            messages.Select(m => (m.Phase, (m.LastCaptureTime - T0).TotalSeconds, m.IncidentFirstSequence)).ToList());
        Assert.Single(messages.Take(3).Select(m => m.EventId).Distinct());
        Assert.NotEqual(messages[0].EventId, messages[3].EventId);
        Assert.Equal(messages.Count, messages.Select(m => m.MessageId).Distinct().Count());
        Assert.Equal(T0.AddSeconds(-1), messages[0].IncidentStartTime);
        Assert.Equal(T0.AddSeconds(9), messages[2].IncidentEndTime);
        Assert.Null(messages[1].IncidentEndTime);
        Assert.Equal(4, _metrics.EventsDetected.WithLabels("door", EventType.Action).Value);
    }

    [Fact]
    public void Minimum_duration_holds_back_the_start_of_a_blip()
    {
        var stage = NewStage(Options(lifecycle: new EventLifecycleOptions { MinDurationSeconds = 2.5, ExitWindows = 1 }));

        Assert.Empty(stage.Evaluate(Result("door", 0, ActionModel, Fall)));   // the incident's first window starts at -1 s
        Assert.Empty(stage.Evaluate(Result("door", 1, ActionModel, Fall)));   // 2 s so far
        var start = Assert.Single(stage.Evaluate(Result("door", 2, ActionModel, Fall)));
        Assert.Equal("start", start.Phase);
    }

    [Fact]
    public void The_most_specific_lifecycle_setting_wins()
    {
        var options = Options(lifecycle: new EventLifecycleOptions { EnterWindows = 3, EnterOf = 3, ExitWindows = 1 });
        options.LifecycleByLabel["fight"] = new EventLifecycleOptions { EnterWindows = 2, EnterOf = 2, ExitWindows = 1 };
        var door = new CameraOptions { Id = "door", LifecycleByLabel = { ["fight"] = new EventLifecycleOptions { ExitWindows = 1 } } };
        var stage = new DetectionWithHeads(new DetectionStage(options, _metrics, _time, new CapturingLogger(), [door]), options);

        Assert.Single(stage.Evaluate(Result("door", 0, ActionModel, Fight)));   // camera + label: enter at once
        Assert.Empty(stage.Evaluate(Result("yard", 0, ActionModel, Fight)));    // label: needs 2 of 2
        Assert.Single(stage.Evaluate(Result("yard", 1, ActionModel, Fight)));
        Assert.DoesNotContain(stage.Evaluate(Result("yard", 2, ActionModel, Fall)), e => e.Label == "fall"); // pipeline: 3 of 3
    }

    [Fact]
    public void A_zero_update_interval_sends_every_window_of_one_incident()
    {
        var stage = NewStage(Options(actionCooldown: 0, lifecycle: new EventLifecycleOptions { UpdateIntervalSeconds = 0 }));

        var messages = Enumerable.Range(0, 5).SelectMany(i => stage.Evaluate(Result("door", i * 0.1, ActionModel, Fall))).ToList();

        Assert.Equal(["start", "update", "update", "update", "update"], messages.Select(m => m.Phase));
        Assert.Single(messages.Select(m => m.EventId).Distinct());
    }

    [Fact]
    public void Anomaly_and_action_cooldowns_are_separate()
    {
        var stage = NewStage(Options(actionCooldown: 10, anomalyCooldown: 30, anomalyThreshold: 0.5));

        // Each incident ends at the next window below its threshold (ExitWindows 1); cooldowns count from that end.
        Assert.Equal(EventType.Anomaly, Assert.Single(stage.Evaluate(Result("door", 0, ScoreModel, [0.9f]))).Type);
        Assert.Equal(EventType.Action, Assert.Single(stage.Evaluate(Result("door", 0, ActionModel, Fall))).Type);
        Assert.Equal("end", Assert.Single(stage.Evaluate(Result("door", 1, ScoreModel, [0.1f]))).Phase);
        Assert.Equal("end", Assert.Single(stage.Evaluate(Result("door", 1, ActionModel, Walk))).Phase);
        Assert.Empty(stage.Evaluate(Result("door", 21, ScoreModel, [0.9f])));   // anomaly cooldown is 30 s
        Assert.Single(stage.Evaluate(Result("door", 21, ActionModel, Fall)));    // action cooldown is 10 s
        Assert.Empty(stage.Evaluate(Result("door", 25, ScoreModel, [0.4f])));   // under the threshold
        var late = Assert.Single(stage.Evaluate(Result("door", 31, ScoreModel, [0.9f])));
        Assert.Equal("score", late.Label);
        Assert.Equal(0.5, late.Threshold);
    }

    [Fact]
    public void Embeddings_calibrate_per_camera_then_raise_anomalies()
    {
        var stage = NewStage(Options(anomalyCooldown: 0));
        float[] normal = [1f, 0f, 0f, 0f];
        float[] nearlyNormal = [1f, 0.01f, 0f, 0f];
        float[] odd = [0f, 0f, 1f, 0f];

        for (var i = 0; i < 3; i++)
        {
            Assert.Empty(stage.Evaluate(Result("door", i, EncoderModel, i == 1 ? nearlyNormal : normal)));
        }

        var anomaly = Assert.Single(stage.Evaluate(Result("door", 3, EncoderModel, odd)));
        Assert.Equal(EventType.Anomaly, anomaly.Type);
        Assert.Equal(AnomalyKind.Appearance, anomaly.Label);
        Assert.Equal(1.0, anomaly.Score, 5);
        // A normal window again ends the incident (ExitWindows 1): an end message, no new anomaly.
        Assert.Equal("end", Assert.Single(stage.Evaluate(Result("door", 4, EncoderModel, normal))).Phase);

        // Another camera has its own detector, still calibrating: the same odd window raises nothing.
        Assert.Empty(stage.Evaluate(Result("yard", 5, EncoderModel, odd)));
        Assert.Equal(2, _metrics.EventsDetected.WithLabels("door", EventType.Anomaly).Value);
    }

    [Fact]
    public void Disabled_anomaly_detection_ignores_embeddings_and_scores()
    {
        var options = Options(anomalyThreshold: 0.1);
        options.Anomaly.Enabled = false;
        var stage = NewStage(options);

        for (var i = 0; i < 5; i++)
        {
            Assert.Empty(stage.Evaluate(Result("door", i * 100, EncoderModel, [i, 1 - i, 0, 0])));
            Assert.Empty(stage.Evaluate(Result("door", i * 100, ScoreModel, [2f])));
        }
    }

    [Fact]
    public async Task RunAsync_writes_the_events_of_every_result()
    {
        var stage = NewStage(Options());
        var input = Channel.CreateUnbounded<WindowInference>();
        var output = Channel.CreateUnbounded<DetectionEvent>();
        Assert.True(input.Writer.TryWrite(stage.Headed(Result("a", 0, ActionModel, Fall))));
        Assert.True(input.Writer.TryWrite(stage.Headed(Result("a", 1, ActionModel, Walk))));
        Assert.True(input.Writer.TryWrite(stage.Headed(Result("b", 2, ActionModel, Fight))));
        input.Writer.Complete();

        await stage.Stage.RunAsync(input.Reader, output.Writer, CancellationToken.None);

        var events = new List<DetectionEvent>();
        while (output.Reader.TryRead(out var e))
        {
            events.Add(e);
        }

        Assert.Equal([("a", "fall", "start"), ("a", "fall", "end"), ("b", "fight", "start")], events.Select(e => (e.CameraId, e.Label, e.Phase)).ToArray());
    }
}
