namespace StreamAnalytics.Detection;

public readonly record struct AnomalyScore(double Score, double Threshold, bool IsAnomalous);
