namespace StreamAnalytics.Publishing;

/// <summary>One pending event on disk; <see cref="Sequence"/> orders the outbox (and so each camera's events).</summary>
internal sealed record OutboxEntry(long Sequence, string Path, string Topic, string CameraId, DateTimeOffset LastCaptureTime);
