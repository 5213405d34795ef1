namespace StreamAnalytics.Tools.Anomaly;

/// <summary>One labelled video of an <see cref="AnomalyEvalReport"/>; null where a figure is undefined (no normal or no anomalous frames).</summary>
internal sealed record AnomalyVideoReport(
    string Name,
    int Frames,
    int AnomalousFrames,
    double? Auc,
    double? AucRaw,
    double? MeanScoreNormal,
    double? MeanScoreAnomalous);
