namespace StreamAnalytics.Publishing;

internal sealed record EventWindowPayload(long FirstFrame, long LastFrame, DateTimeOffset FirstCaptureTime, DateTimeOffset LastCaptureTime);
