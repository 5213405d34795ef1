namespace StreamAnalytics.Tools.Anomaly;

/// <summary>One incident of <c>replay anomaly</c>, in seconds of footage from the start of the replay.</summary>
internal sealed record AnomalyReplayIncident(double FirstSecond, double AlertSecond, double LastSecond);
