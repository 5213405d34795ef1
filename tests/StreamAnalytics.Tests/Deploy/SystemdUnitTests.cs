using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using StreamAnalytics.Tests.Support;

namespace StreamAnalytics.Tests.Deploy;

[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class SystemdUnitTests : IDisposable
{
    private const string Analyzer = "/usr/bin/systemd-analyze";
    private readonly string _folder = Directory.CreateTempSubdirectory("sa-unit-").FullName;

    [Fact]
    public async Task Shipped_unit_passes_systemd_analyze_verify()
    {
        Assert.True(File.Exists(Analyzer), "systemd-analyze is installed by run-tests.sh (package systemd)");
        var (exitCode, output) = await VerifyAsync(File.ReadAllText(RepositoryRoot.Path("deploy", "streamanalytics.service")));
        Assert.True(exitCode == 0 && output.Length == 0, output);
    }

    [Fact]
    public async Task Verify_catches_a_broken_unit()
    {
        var broken = File.ReadAllText(RepositoryRoot.Path("deploy", "streamanalytics.service"))
            .Replace("Type=notify", "Type=sometimes", StringComparison.Ordinal)
            .Replace("ExecStart=/usr/bin/dotnet", "ExecStart=/nonexistent/dotnet", StringComparison.Ordinal);
        var (exitCode, output) = await VerifyAsync(broken);
        Assert.True(exitCode != 0 || output.Length > 0, "a broken unit must not verify cleanly");
    }

    [Fact]
    public void Environment_example_sets_only_known_configuration_keys()
    {
        var lines = File.ReadAllLines(RepositoryRoot.Path("deploy", "streamanalytics.env.example"))
            .Where(l => l.StartsWith("StreamAnalytics__", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(lines);
        var settings = lines.ToDictionary(l => l[..l.IndexOf('=')].Replace("__", ":", StringComparison.Ordinal), l => (string?)l[(l.IndexOf('=') + 1)..]);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var problems = StreamAnalytics.Configuration.ConfigurationSchemaChecker.Check(
            configuration.GetSection("StreamAnalytics"), typeof(StreamAnalytics.Configuration.StreamAnalyticsOptions));
        Assert.Empty(problems);
    }

    private async Task<(int ExitCode, string Output)> VerifyAsync(string unit)
    {
        var path = Path.Combine(_folder, "streamanalytics.service");
        await File.WriteAllTextAsync(path, unit);
        var info = new ProcessStartInfo(Analyzer) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add("verify");
        info.ArgumentList.Add(path);
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var output = ((await stdout) + (await stderr)).Trim();
        return (process.ExitCode, output);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
