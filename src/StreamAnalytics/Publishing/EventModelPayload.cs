namespace StreamAnalytics.Publishing;

internal sealed record EventModelPayload(string Name, string Version);
