namespace StreamAnalytics.Inference;

/// <summary>
/// A model's outputs for one window, with what identifies the window; Outputs follow the manifest's order.
/// An output with role <c>featureMap</c> is empty: only an action head's recipe reads it, per frame, before
/// the window gets here (<see cref="Action"/>).
/// </summary>
public sealed record WindowInference(
    string CameraId,
    long WindowIndex,
    long FirstSequence,
    long LastSequence,
    DateTimeOffset FirstCaptureTime,
    DateTimeOffset LastCaptureTime,
    ModelManifest Model,
    float[][] Outputs)
{
    /// <summary>The camera's motion anomaly head over the window (highest frame score), when it has one.</summary>
    public double? MotionScore { get; init; }

    public double? MotionThreshold { get; init; }

    /// <summary>The action head's logits for the window (<c>Model.ActionHead</c>); null without one.</summary>
    public ActionLogits? Action { get; init; }

    /// <summary>The window's masked last frame when its camera has snapshots on; detection releases it after evaluating the window.</summary>
    public Snapshots.SnapshotFrame? Snapshot { get; init; }
}
