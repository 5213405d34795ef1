using Microsoft.Extensions.Logging.Abstractions;
using StreamAnalytics.Hosting;
using StreamAnalytics.Tests.Support;

namespace StreamAnalytics.Tests.Configuration;

/// <summary>The example configurations must stay true to the code: each one passes start-up checks.</summary>
public sealed class ShippedConfigurationTests
{
    public static TheoryData<string> Files() =>
        [.. Directory.GetFiles(RepositoryRoot.Path("configs"), "*.json").Append(RepositoryRoot.Path("appsettings.json")).Select(f => Path.GetFileName(f))];

    [Theory]
    [MemberData(nameof(Files))]
    public void Example_configuration_passes_startup_checks(string file)
    {
        var path = file == "appsettings.json" ? RepositoryRoot.Path(file) : RepositoryRoot.Path("configs", file);
        var configuration = CommandLine.BuildConfiguration(["--config", path]);

        var plan = StreamAnalyticsApp.Prepare(configuration, NullLoggerFactory.Instance);

        Assert.True(plan.IsValid, string.Join(Environment.NewLine, plan.Problems));
        plan.Release();
    }
}
