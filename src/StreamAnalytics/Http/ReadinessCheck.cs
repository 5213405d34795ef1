namespace StreamAnalytics.Http;

/// <summary>One condition of readiness, with what an operator needs to know about it.</summary>
internal sealed record ReadinessCheck(bool Ok, string Detail);
