namespace StreamAnalytics.Publishing;

internal sealed record CameraStatusPayload(int SchemaVersion, string CameraId, string State, DateTimeOffset Since, string? LastError);
