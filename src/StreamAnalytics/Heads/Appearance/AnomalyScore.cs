namespace StreamAnalytics.Heads.Appearance;

public readonly record struct AnomalyScore(double Score, double Threshold, bool IsAnomalous);
