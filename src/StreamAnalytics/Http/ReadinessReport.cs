namespace StreamAnalytics.Http;

/// <summary>What <c>/readyz</c> answers: ready only when every check is.</summary>
internal sealed record ReadinessReport(IReadOnlyDictionary<string, ReadinessCheck> Checks)
{
    public bool Ready => Checks.Values.All(c => c.Ok);

    public string Status => Ready ? "ready" : "not ready";
}
