using NetArchTest.Rules;

namespace StreamAnalytics.Tests.Architecture;

/// <summary>
/// The dependency rule of docs/architecture.md, on the compiled product: data flows
/// Ingest → Windowing → Inference → Detection → Publishing and code may only look upstream; heads see the stage
/// contracts and shared helpers, never detection, publishing or one another; nothing uses the host or the command
/// line; configuration and the shared helpers use no stage; and no two namespaces use each other, directly or not.
/// </summary>
public sealed class DependencyDirectionTests
{
    private const string Root = "StreamAnalytics";

    /// <summary>The stages in data-flow order.</summary>
    private static readonly string[] Stages = [$"{Root}.Ingest", $"{Root}.Windowing", $"{Root}.Inference", $"{Root}.Detection", $"{Root}.Publishing"];

    private static readonly string[] Heads = [$"{Root}.Heads.Motion", $"{Root}.Heads.Appearance", $"{Root}.Heads.ModelScore", $"{Root}.Heads.Action"];

    private static readonly string[] Outermost = [$"{Root}.Hosting", $"{Root}.Cli", $"{Root}.Tools", $"{Root}.Http"];

    private static readonly System.Reflection.Assembly Product = typeof(global::StreamAnalytics.Hosting.StreamAnalyticsApp).Assembly;

    public static TheoryData<int> StageIndices => [.. Enumerable.Range(0, Stages.Length)];

    [Theory]
    [MemberData(nameof(StageIndices))]
    public void A_stage_uses_only_the_stages_upstream_of_it_and_no_head(int stage)
    {
        string[] forbidden = [.. Stages.Skip(stage + 1), $"{Root}.Heads", .. Outermost];

        AssertNone(Types.InAssembly(Product).That().ResideInNamespace(Stages[stage]), forbidden, $"{Stages[stage]} looks downstream or at a head");
    }

    [Fact]
    public void Heads_use_stage_contracts_and_shared_helpers_never_detection_publishing_or_each_other()
    {
        foreach (var head in Heads)
        {
            string[] forbidden = [$"{Root}.Detection", $"{Root}.Publishing", .. Outermost, .. Heads.Where(h => h != head)];
            AssertNone(Types.InAssembly(Product).That().ResideInNamespace(head), forbidden, $"{head} reaches past its contracts");
        }

        // The heads' shared contract folder sits below every head.
        AssertNone(Types.InAssembly(Product).That().ResideInNamespaceMatching($"^{Root}\\.Heads$"), [$"{Root}.Detection", $"{Root}.Publishing", .. Outermost, .. Heads], $"{Root}.Heads uses a head or the host");
    }

    [Fact]
    public void Nothing_but_the_command_line_uses_the_host_and_nothing_uses_the_command_line()
    {
        // Program (the global namespace) is the entry point and may use anything.
        AssertNone(Types.InAssembly(Product).That().ResideInNamespace($"{Root}.").And().DoNotResideInNamespace($"{Root}.Hosting").And().DoNotResideInNamespace($"{Root}.Cli"), [$"{Root}.Hosting"], "the host is used from inside");
        AssertNone(Types.InAssembly(Product).That().ResideInNamespace($"{Root}.").And().DoNotResideInNamespace($"{Root}.Cli"), [$"{Root}.Cli"], "the command line is used from inside");
        AssertNone(Types.InAssembly(Product).That().ResideInNamespace($"{Root}.Hosting"), [$"{Root}.Tools"], "the service uses the offline tools");
    }

    [Fact]
    public void Configuration_and_the_shared_helpers_use_no_stage()
    {
        string[] stagesAndUp = [.. Stages, $"{Root}.Heads", .. Outermost, $"{Root}.Privacy", $"{Root}.Snapshots"];
        foreach (var shared in new[] { "Configuration", "Contracts", "Buffers", "Retry", "Observability", "Storage" })
        {
            AssertNone(Types.InAssembly(Product).That().ResideInNamespace($"{Root}.{shared}"), stagesAndUp, $"{Root}.{shared} uses a stage");
        }
    }

    [Fact]
    public void No_namespace_depends_on_itself_through_others()
    {
        var graph = NamespaceGraph.Read(Product.Location, Root);

        var cycles = graph.Cycles();

        Assert.True(cycles.Count == 0, string.Join(Environment.NewLine, cycles.Select(cycle =>
            string.Join(" -> ", cycle) + Environment.NewLine + string.Join(Environment.NewLine, cycle.Zip(cycle.Skip(1)).Select(edge => "    " + graph.Edges[edge])))));
    }

    [Fact]
    public void The_namespace_graph_sees_the_dependencies_the_rules_are_about()
    {
        // Guards the cycle check against reading nothing: these edges exist by design.
        var graph = NamespaceGraph.Read(Product.Location, Root);

        Assert.Contains(($"{Root}.Windowing", $"{Root}.Ingest"), graph.Edges.Keys);
        Assert.Contains(($"{Root}.Detection", $"{Root}.Inference"), graph.Edges.Keys);
        Assert.Contains(($"{Root}.Heads.Motion", $"{Root}.Windowing"), graph.Edges.Keys);
        Assert.Contains(($"{Root}.Hosting", $"{Root}.Heads.Action"), graph.Edges.Keys);
    }

    private static void AssertNone(PredicateList types, string[] forbidden, string what)
    {
        var result = types.ShouldNot().HaveDependencyOnAny(forbidden).GetResult();
        Assert.True(result.IsSuccessful, $"{what}: {string.Join(", ", result.FailingTypeNames ?? [])} (forbidden: {string.Join(", ", forbidden)})");
    }
}
