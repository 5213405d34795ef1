using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Prometheus;
using StreamAnalytics.Observability;
using StreamAnalytics.Tests.Support;

namespace StreamAnalytics.Tests.Deploy;

/// <summary>
/// What can be checked in the shipped dashboard and alerting rules without running anything: the variables Grafana
/// needs on import, the layout, and that every metric they name is one the pipeline defines. (A query's fallback,
/// such as <c>or vector(0)</c>, would hide a misspelt metric from the query test in GrafanaDashboardTests.)
/// </summary>
public sealed partial class MonitoringFilesTests
{
    private const string DatasourceUid = "${datasource}";
    private const int GridWidth = 24;

    private readonly JsonElement _dashboard = GrafanaDashboardFile.Load();

    [GeneratedRegex(@"\bstreamanalytics_[a-z0-9_]+")]
    private static partial Regex MetricName();

    [Fact]
    public void The_dashboard_asks_for_its_prometheus_datasource_and_lists_cameras_from_camera_up()
    {
        var datasource = GrafanaDashboardFile.Variable(_dashboard, "datasource");
        Assert.Equal("datasource", datasource.GetProperty("type").GetString());
        Assert.Equal("prometheus", datasource.GetProperty("query").GetString());

        var camera = GrafanaDashboardFile.Variable(_dashboard, "camera");
        Assert.Equal("query", camera.GetProperty("type").GetString());
        Assert.Equal("label_values(streamanalytics_ingest_camera_up, camera)", camera.GetProperty("definition").GetString());
        Assert.Equal("label_values(streamanalytics_ingest_camera_up, camera)", camera.GetProperty("query").GetProperty("query").GetString());
        Assert.Equal(DatasourceUid, camera.GetProperty("datasource").GetProperty("uid").GetString());
        // Several cameras at once, and All by default: the queries match them with =~.
        Assert.True(camera.GetProperty("multi").GetBoolean());
        Assert.True(camera.GetProperty("includeAll").GetBoolean());
    }

    [Fact]
    public void Every_panel_and_query_uses_the_datasource_variable()
    {
        // A fixed datasource uid would exist only in the Grafana the dashboard was exported from.
        foreach (var panel in GrafanaDashboardFile.Panels(_dashboard))
        {
            var title = panel.GetProperty("title").GetString();
            Assert.True(panel.GetProperty("datasource").GetProperty("uid").GetString() == DatasourceUid, $"panel '{title}'");
            Assert.True(panel.GetProperty("datasource").GetProperty("type").GetString() == "prometheus", $"panel '{title}'");
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                Assert.True(target.GetProperty("datasource").GetProperty("uid").GetString() == DatasourceUid, $"panel '{title}' query {target.GetProperty("refId")}");
            }
        }
    }

    [Fact]
    public void Panels_have_unique_ids_and_titles_and_do_not_overlap()
    {
        var all = _dashboard.GetProperty("panels").EnumerateArray().ToList();
        var ids = all.Select(p => p.GetProperty("id").GetInt32()).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        var titles = GrafanaDashboardFile.Panels(_dashboard).Select(p => p.GetProperty("title").GetString()).ToList();
        Assert.Equal(titles.Count, titles.Distinct().Count());

        var boxes = all.Select(p => (Title: p.GetProperty("title").GetString(), Box: Box(p.GetProperty("gridPos")))).ToList();
        foreach (var (title, (x, y, w, h)) in boxes)
        {
            Assert.True(x >= 0 && w > 0 && x + w <= GridWidth && y >= 0 && h > 0, $"panel '{title}' lies outside the {GridWidth}-column grid");
        }

        for (var i = 0; i < boxes.Count; i++)
        {
            for (var j = i + 1; j < boxes.Count; j++)
            {
                var (a, b) = (boxes[i].Box, boxes[j].Box);
                var overlap = a.X < b.X + b.W && b.X < a.X + a.W && a.Y < b.Y + b.H && b.Y < a.Y + a.H;
                Assert.False(overlap, $"panels '{boxes[i].Title}' and '{boxes[j].Title}' overlap");
            }
        }
    }

    [Fact]
    public void Every_query_uses_only_variables_that_grafana_and_the_tests_expand()
    {
        var targets = GrafanaDashboardFile.Targets(_dashboard);
        Assert.NotEmpty(targets);
        foreach (var target in targets)
        {
            Assert.True(target.Expression.Length > 0, target.ToString());
            Assert.DoesNotContain("$", GrafanaDashboardFile.Expand(target.Expression, "(a|b)"), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Every_metric_the_dashboard_queries_is_one_the_pipeline_exports()
    {
        var exported = ExportedSeriesNames();
        foreach (var target in GrafanaDashboardFile.Targets(_dashboard))
        {
            foreach (var name in MetricName().Matches(target.Expression).Select(m => m.Value))
            {
                Assert.True(exported.Contains(name), $"{target}{Environment.NewLine}names '{name}', which PipelineMetrics does not export");
            }
        }
    }

    [Fact]
    public void Every_metric_the_pipeline_exports_is_on_the_dashboard()
    {
        // The dashboard is the operator's view of the pipeline: a new metric should get a panel (or a query in one).
        var queried = GrafanaDashboardFile.Targets(_dashboard).SelectMany(t => MetricName().Matches(t.Expression).Select(m => m.Value)).ToHashSet();
        var missing = Families().Where(f => !f.Series.Any(queried.Contains)).Select(f => f.Name).ToList();
        Assert.True(missing.Count == 0, "not on the dashboard: " + string.Join(", ", missing));
    }

    [Fact]
    public void Every_metric_the_alerting_rules_use_is_one_the_pipeline_exports()
    {
        var exported = ExportedSeriesNames();
        var rules = File.ReadAllText(RepositoryRoot.Path("deploy", "prometheus", "alerts.yml"));
        var named = MetricName().Matches(rules).Select(m => m.Value).ToHashSet();
        Assert.NotEmpty(named);
        Assert.All(named, name => Assert.True(exported.Contains(name), $"alerts.yml names '{name}', which PipelineMetrics does not export"));
    }

    private static (int X, int Y, int W, int H) Box(JsonElement grid) =>
        (grid.GetProperty("x").GetInt32(), grid.GetProperty("y").GetInt32(), grid.GetProperty("w").GetInt32(), grid.GetProperty("h").GetInt32());

    private static HashSet<string> ExportedSeriesNames() => [.. Families().SelectMany(f => f.Series)];

    /// <summary>Each metric PipelineMetrics defines, with the series names it appears under in a scrape.</summary>
    private static List<(string Name, string[] Series)> Families()
    {
        var metrics = new PipelineMetrics(Metrics.NewCustomRegistry());
        var families = typeof(PipelineMetrics).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => typeof(Collector).IsAssignableFrom(p.PropertyType))
            .Select(p => (Collector)p.GetValue(metrics)!)
            .Select(c => (c.Name, c is Histogram ? new[] { c.Name + "_bucket", c.Name + "_sum", c.Name + "_count" } : [c.Name]))
            .ToList();
        Assert.NotEmpty(families);
        return families;
    }
}
