namespace StreamAnalytics.Publishing;

public sealed record EventWindowPayload(long FirstFrame, long LastFrame, DateTimeOffset FirstCaptureTime, DateTimeOffset LastCaptureTime);
