using StreamAnalytics.Windowing;

namespace StreamAnalytics.Inference;

/// <summary>
/// What a <see cref="IWindowHead"/> sees of one window: the model's outputs for it, in manifest order (an output
/// with role <c>featureMap</c> is empty: read it per frame from <see cref="Window"/>), and the window itself.
/// </summary>
/// <param name="LastCaptureTime">The capture time of the window's last frame: footage time, which paces what a head learns.</param>
/// <param name="Window">The window, frames and their per-frame outputs included; null where only outputs exist (tests of output heads).</param>
internal readonly record struct WindowOutputs(string CameraId, long WindowIndex, DateTimeOffset LastCaptureTime, ModelManifest Model, IReadOnlyList<float[]> Outputs, Window? Window);
