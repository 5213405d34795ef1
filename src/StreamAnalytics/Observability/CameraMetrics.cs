using Prometheus;

namespace StreamAnalytics.Observability;

/// <summary>One camera's metric children, resolved once.</summary>
internal sealed class CameraMetrics
{
    internal CameraMetrics(PipelineMetrics metrics, string cameraId)
    {
        CameraId = cameraId;
        FramesDecoded = metrics.FramesDecoded.WithLabels(cameraId);
        FramesDroppedQueueFull = metrics.FramesDropped.WithLabels(cameraId, DropReasons.QueueFull);
        FramesDroppedShutdown = metrics.FramesDropped.WithLabels(cameraId, DropReasons.Shutdown);
        FramesDroppedError = metrics.FramesDropped.WithLabels(cameraId, DropReasons.Error);
        CameraUp = metrics.CameraUp.WithLabels(cameraId);
        Reconnects = metrics.Reconnects.WithLabels(cameraId);
        DecodeErrors = metrics.DecodeErrors.WithLabels(cameraId);
        SecondsSinceLastFrame = metrics.SecondsSinceLastFrame.WithLabels(cameraId);
        WindowsBuilt = metrics.WindowsBuilt.WithLabels(cameraId);
        WindowsDroppedQueueFull = metrics.WindowsDropped.WithLabels(cameraId, DropReasons.QueueFull);
        WindowsGated = metrics.WindowsGated.WithLabels(cameraId);
        EventsPublished = metrics.EventsPublished.WithLabels(cameraId);
        EventsFailed = metrics.EventsFailed.WithLabels(cameraId);
        EventDelay = metrics.EventDelay.WithLabels(cameraId);
        Metrics = metrics;
    }

    public string CameraId { get; }
    public PipelineMetrics Metrics { get; }
    public Counter.Child FramesDecoded { get; }
    public Counter.Child FramesDroppedQueueFull { get; }
    public Counter.Child FramesDroppedShutdown { get; }
    public Counter.Child FramesDroppedError { get; }
    public Gauge.Child CameraUp { get; }
    public Counter.Child Reconnects { get; }
    public Counter.Child DecodeErrors { get; }
    public Gauge.Child SecondsSinceLastFrame { get; }
    public Counter.Child WindowsBuilt { get; }
    public Counter.Child WindowsDroppedQueueFull { get; }
    public Counter.Child WindowsGated { get; }
    public Counter.Child EventsPublished { get; }
    public Counter.Child EventsFailed { get; }
    public Histogram.Child EventDelay { get; }

    public Counter.Child EventsDetected(string type) => Metrics.EventsDetected.WithLabels(CameraId, type);
}
