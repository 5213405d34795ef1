namespace StreamAnalytics.Tests.Deploy;

/// <summary>One <c>FROM</c> of a Dockerfile and the instructions up to the next, keywords upper-cased.</summary>
internal sealed record ContainerfileStage(string Base, string? Name, IReadOnlyList<(string Keyword, string Arguments)> Instructions)
{
    public IEnumerable<string> Arguments(string keyword) =>
        Instructions.Where(i => i.Keyword == keyword).Select(i => i.Arguments);
}
