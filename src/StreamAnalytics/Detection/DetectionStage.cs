using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Inference;
using StreamAnalytics.Observability;
using StreamAnalytics.Snapshots;

namespace StreamAnalytics.Detection;

/// <summary>
/// Turns model outputs into events: the anomaly detector on embeddings (or a model's own anomaly
/// score), the action rule on class logits, whether a clip model's output or an action head's
/// (<see cref="WindowInference.Action"/>). State is per camera; a cooldown per camera, type and
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
    private readonly Dictionary<(string Camera, string Type, string Label), IncidentTracker> _incidents = [];
    private readonly Dictionary<string, CameraOptions> _cameras;
    private readonly IncidentSnapshots _snapshots;

    /// <param name="cameras">For per-camera lifecycle overrides; cameras not listed use the pipeline's settings.</param>
    public DetectionStage(DetectionOptions options, PipelineMetrics metrics, TimeProvider time, ILogger logger, IEnumerable<CameraOptions>? cameras = null)
    {
        _cameras = (cameras ?? []).ToDictionary(c => c.Id, StringComparer.Ordinal);
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _actionRule = new ActionRule(options.Action);
        _snapshots = new IncidentSnapshots(options.Snapshot, _cameras.Values, logger);
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
        if (result is { MotionScore: { } motion, MotionThreshold: { } motionThreshold })
        {
            Observe(events, result, EventType.Anomaly, AnomalyKind.Motion, motion > motionThreshold, motion, motionThreshold, MotionHead);
        }

        for (var o = 0; o < model.Outputs.Count; o++)
        {
            var spec = model.Outputs[o];
            var values = result.Outputs[o];
            switch (spec.Role)
            {
                case OutputRole.Embedding when _options.Anomaly.Enabled:
                    if (DetectorFor(result.CameraId).Observe(values) is { } score)
                    {
                        Observe(events, result, EventType.Anomaly, AnomalyKind.Appearance, score.IsAnomalous, score.Score, score.Threshold, AppearanceHead);
                    }

                    break;
                case OutputRole.AnomalyScore when _options.Anomaly.Enabled && _options.Anomaly.Threshold is { } threshold:
                    Observe(events, result, EventType.Anomaly, spec.Name, values[0] > threshold, values[0], threshold, ModelScoreHead);

                    break;
                case OutputRole.ClassLogits:
                    foreach (var (label, probability, limit, above) in _actionRule.Evaluate(values, spec.Labels))
                    {
                        Observe(events, result, EventType.Action, label, above, probability, limit, SoftmaxThresholdHead);
                    }

                    break;
            }
        }

        if (result.Action is { } action)
        {
            // The head decided, so the event names it; the model is still the backbone that fed it.
            var head = (action.Head.Name, action.Head.Version);
            foreach (var (label, probability, limit, above) in _actionRule.Evaluate(action.Logits, action.Labels))
            {
                Observe(events, result, EventType.Action, label, above, probability, limit, head);
            }
        }

        // The window's own reference; incidents that made it their peak hold theirs.
        result.Snapshot?.Release();
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

    private static readonly (string Name, string Version) MotionHead = ("motion-knn", "1");
    private static readonly (string Name, string Version) AppearanceHead = ("embedding-knn", "1");
    private static readonly (string Name, string Version) ModelScoreHead = ("model-score", "1");
    private static readonly (string Name, string Version) SoftmaxThresholdHead = ("softmax-threshold", "1");

    private void Observe(List<DetectionEvent> events, WindowInference result, string type, string label, bool above, double score, double threshold, (string Name, string Version) head)
    {
        var key = (result.CameraId, type, label);
        if (!_incidents.TryGetValue(key, out var tracker))
        {
            var cooldown = type == EventType.Action ? _options.Action.CooldownSeconds : _options.Anomaly.CooldownSeconds;
            tracker = new IncidentTracker(LifecycleFor(result.CameraId, label), cooldown);
            _incidents[key] = tracker;
        }

        if (tracker.Observe(above, score, result) is not { } message)
        {
            return;
        }

        _metrics.EventsDetected.WithLabels(result.CameraId, type).Inc();
        events.Add(new DetectionEvent(
            message.IncidentId,
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
            _time.GetUtcNow())
        {
            MessageId = Guid.CreateVersion7(_time.GetUtcNow()),
            Phase = message.Phase,
            PeakScore = message.PeakScore,
            IncidentFirstSequence = message.FirstSequence,
            IncidentStartTime = message.StartTime,
            IncidentEndTime = message.EndTime,
            HeadName = head.Name,
            HeadVersion = head.Version,
            Snapshot = Snapshot(result.CameraId, message),
        });
    }

    private EventSnapshot? Snapshot(string cameraId, IncidentMessage message)
    {
        try
        {
            return _snapshots.Describe(cameraId, message.PeakSnapshot);
        }
        finally
        {
            message.PeakSnapshot?.Release();
        }
    }

    /// <summary>Most specific first: camera and label, camera, label, pipeline.</summary>
    private EventLifecycleOptions LifecycleFor(string cameraId, string label)
    {
        if (_cameras.TryGetValue(cameraId, out var camera))
        {
            if (camera.LifecycleByLabel.TryGetValue(label, out var cameraLabel))
            {
                return cameraLabel;
            }

            if (camera.Lifecycle is { } cameraWide)
            {
                return cameraWide;
            }
        }

        return _options.LifecycleByLabel.TryGetValue(label, out var byLabel) ? byLabel : _options.Lifecycle;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {CameraId}: learning what is normal from its first {Windows} windows")]
    private partial void LogCalibrating(string cameraId, int windows);
}
