namespace StreamAnalytics.Tools.Actions;

/// <summary><c>score action</c>: the action head's manifest, the clip to score, the <c>label,probability</c> CSV to write, and the backbone manifest.</summary>
internal sealed record ScoreActionRequest(string ModelPath, string VideoPath, string CsvPath, string Backbone, string Precision = "auto");
