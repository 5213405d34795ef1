namespace StreamAnalytics.Heads.Appearance;

internal readonly record struct AnomalyScore(double Score, double Threshold, bool IsAnomalous);
