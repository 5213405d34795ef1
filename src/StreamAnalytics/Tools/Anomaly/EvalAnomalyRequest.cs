namespace StreamAnalytics.Tools.Anomaly;

/// <summary><c>eval anomaly</c>: a learned state, a labels.json with its videos beside it, the JSON report to write, and the noise controls to apply.</summary>
internal sealed record EvalAnomalyRequest(string StatePath, string LabelsPath, string ReportPath, AnomalyTuning? Tuning = null);
