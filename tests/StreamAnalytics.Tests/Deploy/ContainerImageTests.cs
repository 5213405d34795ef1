using StreamAnalytics.Tests.Support;

namespace StreamAnalytics.Tests.Deploy;

/// <summary>
/// The container files, read as text: building them needs a registry or debootstrap and podman
/// (deploy/container/build-image.sh, run by hand), which CI does not have.
/// </summary>
public sealed class ContainerImageTests
{
    private static string Dockerfile => File.ReadAllText(RepositoryRoot.Path("deploy", "container", "Dockerfile"));

    private static string DebootstrapFile => File.ReadAllText(RepositoryRoot.Path("deploy", "container", "Containerfile.debootstrap"));

    [Fact]
    public void Dockerfile_builds_with_the_sdk_in_one_stage_and_runs_from_another()
    {
        var stages = ContainerfileParser.Parse(Dockerfile);
        Assert.True(stages.Count >= 2, "a multi-stage build: the SDK stays out of the runtime image");
        var build = Assert.Single(stages, s => s.Arguments("RUN").Any(r => r.Contains("dotnet publish", StringComparison.Ordinal)));
        Assert.NotNull(build.Name);
        var runtime = stages[^1];
        Assert.NotSame(build, runtime);
        Assert.Contains(runtime.Arguments("COPY"), c => c.StartsWith($"--from={build.Name} ", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Dockerfile")]
    [InlineData("Containerfile.debootstrap")]
    public void Runtime_stage_runs_as_a_numeric_non_root_user_with_the_volume_probe_port_and_config(string file)
    {
        var stages = ContainerfileParser.Parse(File.ReadAllText(RepositoryRoot.Path("deploy", "container", file)));
        Assert.Empty(ContainerImageRules.CheckRuntime(stages[^1]));
    }

    [Fact]
    public void Both_ways_of_building_give_the_runtime_stage_the_same_user_settings_and_command()
    {
        // Everything the service sees at run time, apart from where its files came from.
        static List<(string, string)> Runtime(string text) =>
            ContainerfileParser.Parse(text)[^1].Instructions
                .Where(i => i.Keyword is "ENV" or "VOLUME" or "EXPOSE" or "WORKDIR" or "USER" or "HEALTHCHECK" or "STOPSIGNAL" or "ENTRYPOINT" or "CMD"
                    || (i.Keyword == "RUN" && i.Arguments.Contains("useradd", StringComparison.Ordinal))
                    || (i.Keyword == "COPY" && i.Arguments.EndsWith(ContainerImageRules.ConfigPath, StringComparison.Ordinal)))
                .ToList();
        var registry = Runtime(Dockerfile);
        Assert.Contains(registry, i => i.Item1 == "RUN");
        Assert.Equal(registry, Runtime(DebootstrapFile));
    }

    [Fact]
    public void Image_settings_are_known_configuration_keys_and_its_config_file_is_valid()
    {
        var environment = ContainerImageRules.Environment(ContainerfileParser.Parse(Dockerfile)[^1]);
        var config = File.ReadAllText(RepositoryRoot.Path("deploy", "container", "config.json"));
        Assert.Empty(DeployedConfiguration.Problems(config, environment));
    }

    [Fact]
    public void Rules_catch_a_root_user_a_missing_healthcheck_and_a_token_baked_in()
    {
        var broken = Dockerfile
            .Replace("USER 10001:10001", "USER root", StringComparison.Ordinal)
            .Replace("HEALTHCHECK", "# HEALTHCHECK", StringComparison.Ordinal)
            .Replace("EXPOSE 9464", "EXPOSE 9464\nENV STREAMANALYTICS_API_TOKEN=0123456789abcdef0123", StringComparison.Ordinal);
        var problems = ContainerImageRules.CheckRuntime(ContainerfileParser.Parse(broken)[^1]);
        Assert.Contains(problems, p => p.StartsWith("USER must be", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("HEALTHCHECK must", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("STREAMANALYTICS_API_TOKEN looks like a secret", StringComparison.Ordinal));
    }

    [Fact]
    public void Parser_joins_continued_lines_and_skips_comments_inside_them()
    {
        var stages = ContainerfileParser.Parse("ARG B=x\nFROM ${B} AS one\nRUN a \\\n# note\n  && b\nFROM one\nCMD [\"c\"]\n");
        Assert.Equal(2, stages.Count);
        Assert.Equal("one", stages[0].Name);
        Assert.Equal("a    && b", Assert.Single(stages[0].Instructions).Arguments);
        Assert.Equal("one", stages[1].Base);
    }
}
