using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Inference;
using StreamAnalytics.Observability;

namespace StreamAnalytics.Detection;

/// <summary>
/// Turns model outputs into events: the anomaly detector on embeddings (or a model's own anomaly
/// score), the action rule on class logits. State is per camera; a cooldown per camera, type and
/// label keeps one incident from flooding the topic. Time comes from capture times, not the wall clock.
/// </summary>
public sealed partial class DetectionStage
{
    private readonly DetectionOptions _options;
    private readonly PipelineMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ActionRule _actionRule;
    private readonly Dictionary<string, AnomalyDetector> _anomaly = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Camera, string Type, string Label), DateTimeOffset> _lastEvent = [];

    public DetectionStage(DetectionOptions options, PipelineMetrics metrics, TimeProvider time, ILogger logger)
    {
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _actionRule = new ActionRule(options.Action);
    }

    public async Task RunAsync(ChannelReader<WindowInference> input, ChannelWriter<DetectionEvent> output, CancellationToken cancellationToken)
    {
        while (await input.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (input.TryRead(out var result))
            {
                foreach (var detected in Evaluate(result))
                {
                    await output.WriteAsync(detected, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }

    public List<DetectionEvent> Evaluate(WindowInference result)
    {
        var events = new List<DetectionEvent>();
        var model = result.Model;
        if (result is { MotionScore: { } motion, MotionThreshold: { } motionThreshold } && motion > motionThreshold)
        {
            Raise(events, result, EventType.Anomaly, AnomalyKind.Motion, motion, motionThreshold, _options.Anomaly.CooldownSeconds);
        }

        for (var o = 0; o < model.Outputs.Count; o++)
        {
            var spec = model.Outputs[o];
            var values = result.Outputs[o];
            switch (spec.Role)
            {
                case OutputRole.Embedding when _options.Anomaly.Enabled:
                    if (DetectorFor(result.CameraId).Observe(values) is { IsAnomalous: true } score)
                    {
                        Raise(events, result, EventType.Anomaly, AnomalyKind.Appearance, score.Score, score.Threshold, _options.Anomaly.CooldownSeconds);
                    }

                    break;
                case OutputRole.AnomalyScore when _options.Anomaly.Enabled && _options.Anomaly.Threshold is { } threshold:
                    if (values[0] > threshold)
                    {
                        Raise(events, result, EventType.Anomaly, spec.Name, values[0], threshold, _options.Anomaly.CooldownSeconds);
                    }

                    break;
                case OutputRole.ClassLogits:
                    foreach (var (label, probability, limit) in _actionRule.Matches(values, spec.Labels))
                    {
                        Raise(events, result, EventType.Action, label, probability, limit, _options.Action.CooldownSeconds);
                    }

                    break;
            }
        }

        return events;
    }

    private AnomalyDetector DetectorFor(string cameraId)
    {
        if (!_anomaly.TryGetValue(cameraId, out var detector))
        {
            var a = _options.Anomaly;
            detector = new AnomalyDetector(a.CalibrationWindows, a.Threshold, a.Sigma, a.MinThreshold);
            _anomaly[cameraId] = detector;
            LogCalibrating(cameraId, a.CalibrationWindows);
        }

        return detector;
    }

    private void Raise(List<DetectionEvent> events, WindowInference result, string type, string label, double score, double threshold, double cooldownSeconds)
    {
        var key = (result.CameraId, type, label);
        if (_lastEvent.TryGetValue(key, out var last) && result.LastCaptureTime - last < TimeSpan.FromSeconds(cooldownSeconds))
        {
            return;
        }

        _lastEvent[key] = result.LastCaptureTime;
        _metrics.EventsDetected.WithLabels(result.CameraId, type).Inc();
        events.Add(new DetectionEvent(
            Guid.CreateVersion7(_time.GetUtcNow()),
            result.CameraId,
            type,
            label,
            score,
            threshold,
            result.FirstSequence,
            result.LastSequence,
            result.FirstCaptureTime,
            result.LastCaptureTime,
            result.Model.Name,
            result.Model.Version,
            _time.GetUtcNow()));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {CameraId}: learning what is normal from its first {Windows} windows")]
    private partial void LogCalibrating(string cameraId, int windows);
}
