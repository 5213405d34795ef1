namespace StreamAnalytics.Publishing;

/// <summary>
/// The JSON body of every event message (schema version 2). An incident sends <c>start</c>, then
/// <c>update</c>s, then <c>end</c>, all with one <see cref="EventId"/>; <see cref="MessageId"/> is unique per
/// message, for consumers to de-duplicate at-least-once delivery.
/// </summary>
internal sealed record EventPayload(
    int SchemaVersion,
    string MessageId,
    string EventId,
    string Phase,
    string CameraId,
    string Type,
    string Label,
    double Score,
    double PeakScore,
    double Threshold,
    EventWindowPayload Window,
    EventIncidentPayload Incident,
    EventModelPayload Model,
    EventModelPayload Head,
    DateTimeOffset DetectedAt)
{
    public const int CurrentSchemaVersion = 2;

    /// <summary>
    /// The incident's peak frame, only when snapshots are on: an optional field, so schema 2 consumers that
    /// do not know it are unaffected and the version stays 2.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public EventSnapshotPayload? Snapshot { get; init; }
}
