using System.Text.Json;
using System.Text.RegularExpressions;
using StreamAnalytics.Tests.Support;

namespace StreamAnalytics.Tests.Deploy;

/// <summary>
/// The shipped Grafana dashboard (<c>deploy/grafana/streamanalytics.json</c>), read as Grafana reads its JSON model:
/// panels (rows may nest theirs), their targets, and the template variables. <see cref="Expand"/> stands in for
/// Grafana's variable interpolation, so the queries can be sent to a real Prometheus.
/// </summary>
public static partial class GrafanaDashboardFile
{
    public static string FilePath => RepositoryRoot.Path("deploy", "grafana", "streamanalytics.json");

    /// <summary>The interval Grafana would give <c>$__rate_interval</c> and <c>$__interval</c>: several 1 s scrapes.</summary>
    public const string TestInterval = "15s";

    /// <summary>What <c>$__range</c> stands for in the tests: longer than the test runs, as a dashboard's hour is.</summary>
    public const string TestRange = "5m";

    public static JsonElement Load()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(FilePath));
        return document.RootElement.Clone();
    }

    /// <summary>Every panel that is not a row, rows' collapsed panels included.</summary>
    public static IReadOnlyList<JsonElement> Panels(JsonElement dashboard)
    {
        var panels = new List<JsonElement>();
        foreach (var panel in dashboard.GetProperty("panels").EnumerateArray())
        {
            if (panel.GetProperty("type").GetString() == "row")
            {
                if (panel.TryGetProperty("panels", out var nested))
                {
                    panels.AddRange(nested.EnumerateArray());
                }
            }
            else
            {
                panels.Add(panel);
            }
        }

        return panels;
    }

    public static IReadOnlyList<DashboardTarget> Targets(JsonElement dashboard) =>
        [.. Panels(dashboard).SelectMany(panel => panel.GetProperty("targets").EnumerateArray().Select(target => new DashboardTarget(
            panel.GetProperty("id").GetInt32(),
            panel.GetProperty("title").GetString()!,
            target.GetProperty("refId").GetString()!,
            target.GetProperty("expr").GetString()!)))];

    public static JsonElement Variable(JsonElement dashboard, string name) =>
        dashboard.GetProperty("templating").GetProperty("list").EnumerateArray().Single(v => v.GetProperty("name").GetString() == name);

    /// <summary>
    /// The query as Grafana sends it: <c>$camera</c> / <c>${camera}</c> become the regex of the selected cameras (a
    /// multi-value variable used in <c>=~</c>), the interval variables become fixed durations. Any other variable is
    /// left as it is, and PromQL has no <c>$</c> of its own, so a leftover <c>$</c> means an unknown variable.
    /// </summary>
    public static string Expand(string expression, string cameraRegex) =>
        CameraVariable().Replace(expression, cameraRegex.Replace("$", "$$", StringComparison.Ordinal))
            .Replace("$__rate_interval", TestInterval, StringComparison.Ordinal)
            .Replace("${__rate_interval}", TestInterval, StringComparison.Ordinal)
            .Replace("$__interval", TestInterval, StringComparison.Ordinal)
            .Replace("${__interval}", TestInterval, StringComparison.Ordinal)
            .Replace("$__range", TestRange, StringComparison.Ordinal)
            .Replace("${__range}", TestRange, StringComparison.Ordinal);

    /// <summary>The regex Grafana puts in place of a multi-value variable: the values, regex-escaped, as alternatives.</summary>
    public static string CameraRegex(IEnumerable<string> cameras) => "(" + string.Join('|', cameras.Select(Regex.Escape)) + ")";

    [GeneratedRegex(@"\$\{camera\}|\$camera\b")]
    private static partial Regex CameraVariable();
}
