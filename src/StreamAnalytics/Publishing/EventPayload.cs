namespace StreamAnalytics.Publishing;

/// <summary>The JSON body published for every event (schema version 1).</summary>
public sealed record EventPayload(
    int SchemaVersion,
    string EventId,
    string CameraId,
    string Type,
    string Label,
    double Score,
    double Threshold,
    EventWindowPayload Window,
    EventModelPayload Model,
    DateTimeOffset DetectedAt)
{
    public const int CurrentSchemaVersion = 1;
}
