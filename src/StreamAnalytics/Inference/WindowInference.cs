namespace StreamAnalytics.Inference;

/// <summary>A model's outputs for one window, with what identifies the window; Outputs follow the manifest's order.</summary>
public sealed record WindowInference(
    string CameraId,
    long WindowIndex,
    long FirstSequence,
    long LastSequence,
    DateTimeOffset FirstCaptureTime,
    DateTimeOffset LastCaptureTime,
    ModelManifest Model,
    float[][] Outputs);
