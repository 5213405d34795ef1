namespace StreamAnalytics.Tools.Actions;

/// <summary><c>features action</c>: a <c>path,label</c> clip manifest, the features CSV to write, T frames per view, and the backbone manifest.</summary>
internal sealed record FeaturesActionRequest(string ManifestPath, string FeaturesPath, int Frames, string Backbone, string Precision = "auto");
