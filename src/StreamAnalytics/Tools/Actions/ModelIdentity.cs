namespace StreamAnalytics.Tools.Actions;

/// <summary>Which model a report's numbers came from: its manifest's name, version and path.</summary>
internal sealed record ModelIdentity(string Name, string Version, string Manifest);
