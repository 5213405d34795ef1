namespace StreamAnalytics.Publishing;

/// <summary>The incident so far: its first frame and start time; the end time on the <c>end</c> message only.</summary>
internal sealed record EventIncidentPayload(long FirstFrame, DateTimeOffset StartTime, DateTimeOffset? EndTime);
