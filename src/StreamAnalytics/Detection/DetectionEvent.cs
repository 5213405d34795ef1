namespace StreamAnalytics.Detection;

/// <summary>Something a detector decided an operator should hear about.</summary>
internal sealed record DetectionEvent(
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
    DateTimeOffset DetectedAt)
{
    /// <summary>Unique per message; <see cref="EventId"/> is shared by an incident's start, updates and end.</summary>
    public Guid MessageId { get; init; } = Guid.CreateVersion7();

    public string Phase { get; init; } = IncidentPhase.Start;

    /// <summary>The highest score of the incident so far.</summary>
    public double PeakScore { get; init; } = Score;

    /// <summary>The first frame of the incident's first window above the threshold.</summary>
    public long IncidentFirstSequence { get; init; } = FirstSequence;

    public DateTimeOffset IncidentStartTime { get; init; } = FirstCaptureTime;

    /// <summary>Set on the <c>end</c> message only.</summary>
    public DateTimeOffset? IncidentEndTime { get; init; }

    /// <summary>Which head decided, and its version (the model is the backbone or clip model that fed it).</summary>
    public string HeadName { get; init; } = string.Empty;

    public string HeadVersion { get; init; } = string.Empty;

    /// <summary>The incident's peak frame as JPEG (file or inline), when the camera's snapshots are on.</summary>
    public Snapshots.EventSnapshot? Snapshot { get; init; }
}
