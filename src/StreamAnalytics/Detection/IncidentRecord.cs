namespace StreamAnalytics.Detection;

/// <summary>An incident as the API shows it: one record per incident, updated by its start, update and end messages.</summary>
internal sealed record IncidentRecord(
    Guid IncidentId,
    string CameraId,
    string Type,
    string Label,
    string Head,
    string Phase,
    double Score,
    double PeakScore,
    double Threshold,
    DateTimeOffset StartTime,
    DateTimeOffset? EndTime,
    DateTimeOffset UpdatedAt)
{
    public static IncidentRecord From(DetectionEvent e) => new(
        e.EventId, e.CameraId, e.Type, e.Label, e.HeadName, e.Phase, e.Score, e.PeakScore, e.Threshold, e.IncidentStartTime, e.IncidentEndTime, e.DetectedAt);
}
