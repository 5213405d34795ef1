namespace StreamAnalytics.Heads.Appearance;

/// <summary>Mean and standard deviation of the calibration windows' leave-one-out nearest cosine distances.</summary>
internal readonly record struct AnomalySpread(double Mean, double Std);
