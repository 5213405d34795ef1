using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Contracts;
using StreamAnalytics.Inference;
using StreamAnalytics.Observability;
using StreamAnalytics.Snapshots;

namespace StreamAnalytics.Detection;

/// <summary>
/// Turns the heads' verdicts on each window (<see cref="WindowInference.Heads"/>) into incident events, the same
/// way for every head: one incident tracker per camera, type and label, with its lifecycle and cooldown, and the
/// head's name and version in the event. Time comes from capture times, not the wall clock.
/// </summary>
internal sealed partial class DetectionStage
{
    private readonly DetectionOptions _options;
    private readonly PipelineMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly Dictionary<(string Camera, string Type, string Label), IncidentTracker> _incidents = [];
    private readonly IReadOnlyDictionary<string, CameraOptions> _cameras;
    private readonly IncidentSnapshots _snapshots;
    private readonly ILogger _logger;

    /// <param name="cameras">For per-camera lifecycle overrides; cameras not listed use the pipeline's settings.</param>
    public DetectionStage(DetectionOptions options, PipelineMetrics metrics, TimeProvider time, ILogger logger, IEnumerable<CameraOptions>? cameras = null)
        : this(options, metrics, time, logger, (cameras ?? []).ToDictionary(c => c.Id, StringComparer.Ordinal))
    {
    }

    /// <param name="cameras">A live view of the running cameras (cameras come and go through the API), by id.</param>
    public DetectionStage(DetectionOptions options, PipelineMetrics metrics, TimeProvider time, ILogger logger, IReadOnlyDictionary<string, CameraOptions> cameras)
    {
        _cameras = cameras;
        _options = options;
        _metrics = metrics;
        _time = time;
        _snapshots = new IncidentSnapshots(options.Snapshot, cameras, logger);
        _logger = logger;
    }

    /// <summary>Where every incident message is also recorded for the API; null when nothing asks.</summary>
    public RecentIncidents? Recent { get; init; }

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
        foreach (var head in result.Heads)
        {
            Observe(events, result, head);
        }

        // The window's own reference; incidents that made it their peak hold theirs.
        result.Snapshot?.Release();
        return events;
    }

    private void Observe(List<DetectionEvent> events, WindowInference result, HeadResult head)
    {
        var (type, label, score) = (head.Kind, head.Label, head.Score);
        var key = (result.CameraId, type, label);
        if (!_incidents.TryGetValue(key, out var tracker))
        {
            var cooldown = type == EventType.Action ? _options.Action.CooldownSeconds : _options.Anomaly.CooldownSeconds;
            tracker = new IncidentTracker(LifecycleFor(result.CameraId, label), cooldown);
            _incidents[key] = tracker;
        }

        if (tracker.Observe(head.Above, score, result) is not { } message)
        {
            return;
        }

        _metrics.EventsDetected.WithLabels(result.CameraId, type).Inc();
        if (message.Phase == IncidentPhase.Start)
        {
            _metrics.IncidentsStarted.WithLabels(result.CameraId, type).Inc();
        }

        if (message.Phase == IncidentPhase.Update)
        {
            LogIncidentUpdate(message.Phase, result.CameraId, type, label, score, head.Threshold, head.Head);
        }
        else
        {
            LogIncident(message.Phase, result.CameraId, type, label, score, head.Threshold, head.Head);
        }

        var detected = new DetectionEvent(
            message.IncidentId,
            result.CameraId,
            type,
            label,
            score,
            head.Threshold,
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
            HeadName = head.Head,
            HeadVersion = head.Version,
            Snapshot = Snapshot(result.CameraId, message),
        };
        events.Add(detected);
        Recent?.Record(detected);
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

    // Start and end reach the console at the default level, so an operator watching the demo sees alerts without an MQTT client.
    [LoggerMessage(Level = LogLevel.Information, Message = "Incident {Phase}: camera {CameraId} {Type}/{Label} score {Score:0.###} (threshold {Threshold:0.###}), head {Head}")]
    private partial void LogIncident(string phase, string cameraId, string type, string label, double score, double threshold, string head);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Incident {Phase}: camera {CameraId} {Type}/{Label} score {Score:0.###} (threshold {Threshold:0.###}), head {Head}")]
    private partial void LogIncidentUpdate(string phase, string cameraId, string type, string label, double score, double threshold, string head);
}
