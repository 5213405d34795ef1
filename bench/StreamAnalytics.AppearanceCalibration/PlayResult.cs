namespace StreamAnalytics.AppearanceCalibration;

/// <summary>What a play raised, the threshold calibrated, and per window whether it scored above it.</summary>
internal sealed record PlayResult(IReadOnlyList<PlayedIncident> Incidents, double Threshold, IReadOnlyList<bool> Alerting);
