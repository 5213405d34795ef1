namespace StreamAnalytics.Publishing;

public sealed record EventModelPayload(string Name, string Version);
