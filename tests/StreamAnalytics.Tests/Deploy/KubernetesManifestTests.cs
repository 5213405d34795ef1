using System.Text.Json.Nodes;
using StreamAnalytics.Tests.Support;

namespace StreamAnalytics.Tests.Deploy;

/// <summary>Renders deploy/k8s with the real kubectl (offline) and checks what a cluster would be given.</summary>
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class KubernetesManifestTests
{
    [Theory]
    [InlineData("base")]
    [InlineData("overlays/example")]
    public async Task Rendered_deployment_has_probes_state_volume_shards_valid_config_budget_scraping_and_no_secrets(string folder)
    {
        var objects = await KustomizeBuild.RenderAsync(RepositoryRoot.Path("deploy", "k8s", folder));
        Assert.Empty(KubernetesManifestRules.Check(objects));
    }

    [Fact]
    public async Task Example_overlay_changes_replicas_and_the_shard_count_together_and_brings_its_cameras()
    {
        var objects = await KustomizeBuild.RenderAsync(RepositoryRoot.Path("deploy", "k8s", "overlays", "example"));
        var set = Assert.Single(KubernetesManifestRules.Of(objects, "StatefulSet"));
        Assert.Equal("3", KubernetesManifestRules.Text(set["spec"]?["replicas"]));
        var config = Assert.Single(KubernetesManifestRules.Of(objects, "ConfigMap"));
        var cameras = JsonNode.Parse(KubernetesManifestRules.Text(config["data"]?["config.json"])!)?["StreamAnalytics"]?["Cameras"]?.AsArray();
        Assert.True(cameras?.Count >= 3, "the example has more cameras than shards");
    }

    [Fact]
    public async Task Rules_catch_replicas_without_the_shard_count_a_writable_root_and_a_committed_secret()
    {
        var objects = await KustomizeBuild.RenderAsync(RepositoryRoot.Path("deploy", "k8s", "base"));
        var set = Assert.Single(KubernetesManifestRules.Of(objects, "StatefulSet"));
        set["spec"]!["replicas"] = "5";
        set["spec"]!["template"]!["spec"]!["containers"]![0]!["securityContext"]!["readOnlyRootFilesystem"] = "false";
        objects.Add(KustomizeBuild.Parse("kind: Secret\nmetadata: {name: streamanalytics-secrets}\nstringData: {api-token: change-me}\n")[0]);

        var problems = KubernetesManifestRules.Check(objects);

        Assert.Contains(problems, p => p.StartsWith("StreamAnalytics__Sharding__Count must equal replicas (5)", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("The container's root file system must be read-only", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Secret streamanalytics-secrets is committed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rules_catch_a_config_file_the_product_would_refuse()
    {
        var objects = await KustomizeBuild.RenderAsync(RepositoryRoot.Path("deploy", "k8s", "base"));
        var map = Assert.Single(KubernetesManifestRules.Of(objects, "ConfigMap"));
        map["data"]!["config.json"] = KubernetesManifestRules.Text(map["data"]!["config.json"])!
            .Replace("\"Port\": 1883", "\"Port\": 70000, \"Hots\": \"x\"", StringComparison.Ordinal);

        var problems = KubernetesManifestRules.Check(objects);

        Assert.Contains(problems, p => p.Contains("Mqtt.Port must be between 1 and 65535", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("unknown setting 'Hots'", StringComparison.Ordinal));
    }
}
