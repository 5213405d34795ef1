using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using Prometheus;
using StreamAnalytics.Configuration;
using StreamAnalytics.Detection;
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

    private readonly PipelineMetrics _metrics = new(Metrics.NewCustomRegistry());
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 6, 1, 0, 0, 0, TimeSpan.Zero));

    private DetectionStage NewStage(DetectionOptions options) => new(options, _metrics, _time, new CapturingLogger());

    private static DetectionOptions Options(double actionCooldown = 10, double anomalyCooldown = 10, double? anomalyThreshold = null) => new()
    {
        Action = new ActionOptions { Thresholds = new() { ["fall"] = 0.5, ["fight"] = 0.5 }, CooldownSeconds = actionCooldown },
        Anomaly = new AnomalyOptions { CalibrationWindows = 3, Threshold = anomalyThreshold, CooldownSeconds = anomalyCooldown, MinThreshold = 0 },
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
        Assert.Equal(_time.GetUtcNow(), detected.DetectedAt);
        Assert.Equal(7, detected.EventId.Version);
        Assert.Equal(1, _metrics.EventsDetected.WithLabels("door", EventType.Action).Value);
    }

    [Fact]
    public void Walk_has_no_threshold_and_raises_nothing()
    {
        var stage = NewStage(Options());

        Assert.Empty(stage.Evaluate(Result("door", 0, ActionModel, Walk)));
        Assert.Equal(0, _metrics.EventsDetected.WithLabels("door", EventType.Action).Value);
    }

    [Fact]
    public void Cooldown_suppresses_repeats_by_capture_time_per_camera_and_label()
    {
        var stage = NewStage(Options(actionCooldown: 10));
        var raised = new List<(string Camera, string Label, double Seconds)>();

        void Evaluate(string camera, double seconds, float[] logits)
        {
            foreach (var e in stage.Evaluate(Result(camera, seconds, ActionModel, logits)))
            {
                raised.Add((e.CameraId, e.Label, (e.LastCaptureTime - T0).TotalSeconds));
            }

            // The wall clock races ahead; only capture times count.
            _time.Advance(TimeSpan.FromMinutes(5));
        }

        Evaluate("door", 0, Fall);    // raised
        Evaluate("door", 4, Fall);    // same camera and label within 10 s: suppressed
        Evaluate("yard", 4, Fall);    // another camera: raised
        Evaluate("door", 5, Fight);   // another label: raised
        Evaluate("door", 9.9, Fall);  // still within 10 s of the last fall event: suppressed
        Evaluate("door", 10, Fall);   // 10 s after it: raised
        Evaluate("door", 12, Fall);   // within 10 s of the new one (not of the suppressed ones): suppressed
        Evaluate("yard", 13.5, Fall); // 9.5 s after yard's last: suppressed
        Evaluate("yard", 14, Fall);   // raised

        Assert.Equal(
            [("door", "fall", 0.0), ("yard", "fall", 4.0), ("door", "fight", 5.0), ("door", "fall", 10.0), ("yard", "fall", 14.0)],
            raised);
        Assert.Equal(3, _metrics.EventsDetected.WithLabels("door", EventType.Action).Value);
        Assert.Equal(2, _metrics.EventsDetected.WithLabels("yard", EventType.Action).Value);
    }

    [Fact]
    public void Cooldown_does_not_pass_with_the_wall_clock_alone()
    {
        var stage = NewStage(Options(actionCooldown: 60));
        Assert.Single(stage.Evaluate(Result("door", 0, ActionModel, Fall)));

        _time.Advance(TimeSpan.FromHours(1));

        Assert.Empty(stage.Evaluate(Result("door", 1, ActionModel, Fall)));
    }

    [Fact]
    public void A_zero_cooldown_raises_every_match()
    {
        var stage = NewStage(Options(actionCooldown: 0));

        var count = Enumerable.Range(0, 5).Sum(i => stage.Evaluate(Result("door", i * 0.1, ActionModel, Fall)).Count);

        Assert.Equal(5, count);
    }

    [Fact]
    public void Anomaly_and_action_cooldowns_are_separate()
    {
        var stage = NewStage(Options(actionCooldown: 10, anomalyCooldown: 30, anomalyThreshold: 0.5));

        Assert.Equal(EventType.Anomaly, Assert.Single(stage.Evaluate(Result("door", 0, ScoreModel, [0.9f]))).Type);
        Assert.Equal(EventType.Action, Assert.Single(stage.Evaluate(Result("door", 1, ActionModel, Fall))).Type);
        Assert.Empty(stage.Evaluate(Result("door", 20, ScoreModel, [0.9f])));   // anomaly cooldown is 30 s
        Assert.Single(stage.Evaluate(Result("door", 20, ActionModel, Fall)));    // action cooldown is 10 s
        var late = Assert.Single(stage.Evaluate(Result("door", 30, ScoreModel, [0.9f])));
        Assert.Equal("score", late.Label);
        Assert.Equal(0.5, late.Threshold);
        Assert.Empty(stage.Evaluate(Result("door", 100, ScoreModel, [0.4f])));   // under the threshold
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
        Assert.Empty(stage.Evaluate(Result("door", 4, EncoderModel, normal)));

        // Another camera has its own detector, still calibrating: the same odd window raises nothing.
        Assert.Empty(stage.Evaluate(Result("yard", 5, EncoderModel, odd)));
        Assert.Equal(1, _metrics.EventsDetected.WithLabels("door", EventType.Anomaly).Value);
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
        Assert.True(input.Writer.TryWrite(Result("a", 0, ActionModel, Fall)));
        Assert.True(input.Writer.TryWrite(Result("a", 1, ActionModel, Walk)));
        Assert.True(input.Writer.TryWrite(Result("b", 2, ActionModel, Fight)));
        input.Writer.Complete();

        await stage.RunAsync(input.Reader, output.Writer, CancellationToken.None);

        var events = new List<DetectionEvent>();
        while (output.Reader.TryRead(out var e))
        {
            events.Add(e);
        }

        Assert.Equal([("a", "fall"), ("b", "fight")], events.Select(e => (e.CameraId, e.Label)).ToArray());
    }
}
