namespace StreamAnalytics.Tools.Actions;

/// <summary>The action head an <see cref="ActionEvalReport"/> is about: its manifest, and the features and frames per view it takes.</summary>
internal sealed record EvaluatedHead(string Name, string Version, string Manifest, string Recipe, int Frames);
