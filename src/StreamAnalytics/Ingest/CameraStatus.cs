namespace StreamAnalytics.Ingest;

/// <summary>A camera's state as operators see it on <c>&lt;prefix&gt;/&lt;camera&gt;/status</c>; LastError is free of credentials.</summary>
internal sealed record CameraStatus(string CameraId, CameraState State, DateTimeOffset Since, string? LastError);
