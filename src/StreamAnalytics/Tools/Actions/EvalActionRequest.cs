namespace StreamAnalytics.Tools.Actions;

/// <summary>
/// <c>eval action</c>: the action head's manifest, exactly one source of labelled clips (a clip manifest to
/// decode, or the rows of a <c>features action</c> file), the JSON report to write, and the backbone manifest.
/// </summary>
internal sealed record EvalActionRequest(string ModelPath, string? ManifestPath, string? FeaturesPath, string ReportPath, string Backbone, string Precision = "auto")
{
    public const string OneSourceRule = "eval action takes exactly one of --manifest and --features.";
}
