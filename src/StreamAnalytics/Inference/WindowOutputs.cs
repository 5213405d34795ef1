using StreamAnalytics.Windowing;

namespace StreamAnalytics.Inference;

/// <summary>
/// What a <see cref="IWindowHead"/> sees of one window: the model's outputs for it, in manifest order (an output
/// with role <c>featureMap</c> is empty: read it per frame from <see cref="Window"/>), and the window itself.
/// </summary>
/// <param name="Window">The window, frames and their per-frame outputs included; null where only outputs exist (tests of output heads).</param>
internal readonly record struct WindowOutputs(string CameraId, long WindowIndex, ModelManifest Model, IReadOnlyList<float[]> Outputs, Window? Window);
