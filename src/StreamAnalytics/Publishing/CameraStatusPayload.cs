namespace StreamAnalytics.Publishing;

/// <param name="Learning">How far the camera's heads have learned what is normal there: 0 to 1 while learning, 1 once they score; null when no head learns it.</param>
internal sealed record CameraStatusPayload(int SchemaVersion, string CameraId, string State, DateTimeOffset Since, string? LastError, double? Learning);
