namespace StreamAnalytics.Detection;

/// <summary>Something a detector decided an operator should hear about.</summary>
public sealed record DetectionEvent(
    Guid EventId,
    string CameraId,
    string Type,
    string Label,
    double Score,
    double Threshold,
    long FirstSequence,
    long LastSequence,
    DateTimeOffset FirstCaptureTime,
    DateTimeOffset LastCaptureTime,
    string ModelName,
    string ModelVersion,
    DateTimeOffset DetectedAt);
