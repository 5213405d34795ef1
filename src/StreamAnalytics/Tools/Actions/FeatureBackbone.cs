namespace StreamAnalytics.Tools.Actions;

/// <summary>The backbone a <see cref="ClipFeaturesDescription"/>'s features were computed from, and the shape of the feature map they read.</summary>
internal sealed record FeatureBackbone(string Name, string Version, string Manifest, int Channels, int Cells);
