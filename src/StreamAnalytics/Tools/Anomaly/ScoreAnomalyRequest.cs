namespace StreamAnalytics.Tools.Anomaly;

/// <summary><c>score anomaly</c>: a learned state, the video to score and the <c>frame,score</c> CSV to write.</summary>
internal sealed record ScoreAnomalyRequest(string StatePath, string VideoPath, string CsvPath);
