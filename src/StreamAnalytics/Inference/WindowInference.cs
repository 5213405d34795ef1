using StreamAnalytics.Contracts;

namespace StreamAnalytics.Inference;

/// <summary>
/// A model's outputs for one window, with what identifies the window; Outputs follow the manifest's order.
/// An output with role <c>featureMap</c> is empty: only an action head's recipe reads it, per frame, before
/// the window gets here (<see cref="Heads"/>).
/// </summary>
internal sealed record WindowInference(
    string CameraId,
    long WindowIndex,
    long FirstSequence,
    long LastSequence,
    DateTimeOffset FirstCaptureTime,
    DateTimeOffset LastCaptureTime,
    ModelManifest Model,
    float[][] Outputs)
{
    /// <summary>Every head's verdict on the window: the frame heads' (from windowing), then the window heads', in order.</summary>
    public IReadOnlyList<HeadResult> Heads { get; init; } = [];

    /// <summary>The window's masked last frame when its camera has snapshots on; detection releases it after evaluating the window.</summary>
    public Snapshots.SnapshotFrame? Snapshot { get; init; }
}
