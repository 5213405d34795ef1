namespace StreamAnalytics.Tools.Actions;

/// <summary>The backbone a <see cref="ClipFeaturesDescription"/>'s features were computed from, and the shape of the feature map they read.</summary>
/// <param name="File">The ONNX file that ran: the manifest's FP32 <c>file</c> or its INT8 variant (<c>--precision</c>).</param>
internal sealed record FeatureBackbone(string Name, string Version, string Manifest, int Channels, int Cells, string? File = null);
