namespace StreamAnalytics.Tools.Anomaly;

/// <summary>
/// Event-level figures of <c>eval anomaly</c>: the frame scores played through the live window schedule and
/// incident tracker (<see cref="IncidentReplay"/>) with the default configuration's window, lifecycle and cooldown.
/// </summary>
/// <param name="Segments">Labelled anomalous ranges over all videos.</param>
/// <param name="SegmentsWithIncident">Ranges that some incident overlapped (event recall = this / <paramref name="Segments"/>).</param>
/// <param name="SecondsToAlert">Per detected range: from its first frame to the frame whose window raised the incident (0 if one was already open).</param>
/// <param name="FalseIncidents">Incidents that overlapped no labelled range.</param>
/// <param name="NormalSeconds">Normal (unlabelled) footage, in seconds at <paramref name="Fps"/>.</param>
internal sealed record AnomalyEventReport(
    string Window,
    double Fps,
    int Segments,
    int SegmentsWithIncident,
    IReadOnlyList<double> SecondsToAlert,
    int Incidents,
    int FalseIncidents,
    double NormalSeconds,
    double? FalseIncidentsPerHour);
