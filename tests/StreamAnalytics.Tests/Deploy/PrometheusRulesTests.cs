using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using StreamAnalytics.Tests.Support;

namespace StreamAnalytics.Tests.Deploy;

/// <summary>
/// The shipped alerting rules and example Prometheus configuration, through Prometheus' own checker: the rules parse,
/// their unit tests (alerts.test.yml: each alert fires where it should and stays silent where it should not) pass,
/// and the example configuration loads the rules.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed partial class PrometheusRulesTests : IDisposable
{
    private const string Promtool = "/usr/bin/promtool";
    private readonly string _folder = Directory.CreateTempSubdirectory("sa-promtool-").FullName;

    private static string PrometheusFolder => RepositoryRoot.Path("deploy", "prometheus");

    [GeneratedRegex(@"^\s*- alert: ", RegexOptions.Multiline)]
    private static partial Regex AlertRule();

    [GeneratedRegex(@"SUCCESS: (\d+) rules found")]
    private static partial Regex RulesFound();

    [Fact]
    public async Task Alerting_rules_pass_promtool_check_rules()
    {
        var (exitCode, output) = await PromtoolAsync("check", "rules", Path.Combine(PrometheusFolder, "alerts.yml"));
        Assert.True(exitCode == 0, output);
        Assert.Equal(RulesInFile().ToString(CultureInfo.InvariantCulture), RulesFound().Match(output).Groups[1].Value);
    }

    [Fact]
    public async Task Alerting_rules_pass_their_unit_tests()
    {
        var (exitCode, output) = await PromtoolAsync("test", "rules", Path.Combine(PrometheusFolder, "alerts.test.yml"));
        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_unit_tests_catch_an_alert_that_fires_too_soon()
    {
        // The camera-down rule without its `for:` fires on the first minute down, which its test says it must not.
        var rules = File.ReadAllText(Path.Combine(PrometheusFolder, "alerts.yml"));
        const string patient = "expr: streamanalytics_ingest_camera_up == 0\n        for: 2m\n";
        Assert.Contains(patient, rules, StringComparison.Ordinal);
        File.WriteAllText(Path.Combine(_folder, "alerts.yml"), rules.Replace(patient, "expr: streamanalytics_ingest_camera_up == 0\n", StringComparison.Ordinal));
        File.Copy(Path.Combine(PrometheusFolder, "alerts.test.yml"), Path.Combine(_folder, "alerts.test.yml"));

        var (exitCode, output) = await PromtoolAsync("test", "rules", Path.Combine(_folder, "alerts.test.yml"));
        Assert.True(exitCode != 0, output);
        Assert.Contains("StreamAnalyticsCameraDown", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_example_configuration_passes_promtool_check_config_and_loads_the_rules()
    {
        var (exitCode, output) = await PromtoolAsync("check", "config", Path.Combine(PrometheusFolder, "prometheus.yml"));
        Assert.True(exitCode == 0, output);
        Assert.Contains("SUCCESS: 1 rule files found", output, StringComparison.Ordinal);
        Assert.Equal(RulesInFile().ToString(CultureInfo.InvariantCulture), RulesFound().Match(output).Groups[1].Value);
    }

    private static int RulesInFile() => AlertRule().Count(File.ReadAllText(Path.Combine(PrometheusFolder, "alerts.yml")));

    private static async Task<(int ExitCode, string Output)> PromtoolAsync(params string[] arguments)
    {
        Assert.True(File.Exists(Promtool), "promtool is installed by run-tests.sh (package prometheus)");
        var info = new ProcessStartInfo(Promtool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, ((await stdout) + (await stderr)).Trim());
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
