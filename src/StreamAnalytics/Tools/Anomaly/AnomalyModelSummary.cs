namespace StreamAnalytics.Tools.Anomaly;

/// <summary>The learned state an <see cref="AnomalyEvalReport"/> evaluated: what it was learned from and how it flags frames.</summary>
internal sealed record AnomalyModelSummary(
    string CameraId,
    DateTimeOffset CreatedAt,
    string Features,
    int FramesStored,
    int TrainingFrames,
    int TrainingVideos,
    int SmoothingFrames,
    double ThresholdQuantile,
    double Threshold,
    long MemoryBytes);
