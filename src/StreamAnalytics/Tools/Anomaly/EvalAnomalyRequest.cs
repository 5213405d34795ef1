namespace StreamAnalytics.Tools.Anomaly;

/// <summary><c>eval anomaly</c>: a learned state, a labels.json with its videos beside it, and the JSON report to write.</summary>
internal sealed record EvalAnomalyRequest(string StatePath, string LabelsPath, string ReportPath);
