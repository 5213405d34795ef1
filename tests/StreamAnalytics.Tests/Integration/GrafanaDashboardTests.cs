using System.Text.RegularExpressions;
using StreamAnalytics.Tests.Deploy;
using StreamAnalytics.Tests.Support;

namespace StreamAnalytics.Tests.Integration;

/// <summary>
/// The shipped Grafana dashboard against what the pipeline really exports: the real pipeline runs two file cameras,
/// a real Prometheus scrapes it with the example configuration (deploy/prometheus/prometheus.yml, pointed at the
/// test's port), and every query of every panel, its variables expanded as Grafana would, must return at least one
/// series. A panel that would show "No data" on a healthy pipeline fails the test, and the failure names it.
/// </summary>
[Collection(IntegrationCollection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed partial class GrafanaDashboardTests : IDisposable
{
    private static readonly string[] Cameras = ["walkway", "plaza"];
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan ScrapeTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan QueriesTimeout = TimeSpan.FromSeconds(90);

    private readonly string _folder = Directory.CreateTempSubdirectory("sa-dashboard-").FullName;

    [GeneratedRegex(@"^label_values\((\w+),\s*(\w+)\)$")]
    private static partial Regex LabelValues();

    [GeneratedRegex(@"\bby \(camera\b")]
    private static partial Regex ByCamera();

    [Fact]
    public Task Every_dashboard_query_returns_a_series_once_incidents_have_started() => AssertEveryQueryReturnsSeriesAsync(withIncidents: true);

    [Fact]
    public Task Every_dashboard_query_returns_a_series_before_any_incident() => AssertEveryQueryReturnsSeriesAsync(withIncidents: false);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>
    /// Runs the pipeline on two file cameras until it has settled (see <paramref name="withIncidents"/>), then a real
    /// Prometheus on the example configuration, and sends it every panel query, its variables expanded as Grafana
    /// would expand them, until each returns at least one series (or names the panels that never did).
    /// </summary>
    /// <param name="withIncidents">
    /// True: the test threshold of 0 starts an incident on each camera as soon as it is calibrated, and the queries run
    /// once both have started, as on a pipeline that has run for a while. False: a labelled counter gets its first
    /// series from its first increment, so before any event events_total and incidents_total do not exist at all; a
    /// threshold of 2 (a cosine distance never exceeds it) keeps it that way, and the panels over them must still show
    /// their cameras (at 0) rather than "No data".
    /// </param>
    private async Task AssertEveryQueryReturnsSeriesAsync(bool withIncidents)
    {
        var dashboard = GrafanaDashboardFile.Load();
        var targets = GrafanaDashboardFile.Targets(dashboard);
        Assert.NotEmpty(targets);

        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        var settings = PipelineSettings.Base(FreeTcpPort.Next(), embeddedBroker: true);
        settings["StreamAnalytics:Detection:Anomaly:Threshold"] = withIncidents ? "0" : "2";
        PipelineSettings.AddCamera(settings, 0, Cameras[0], SharedData.Path("ucsd-ped2", "test", "test01.mp4"));
        PipelineSettings.AddCamera(settings, 1, Cameras[1], SharedData.Path("ucsd-ped2", "test", "test03.mp4"));
        await using var pipeline = await PipelineUnderTest.StartAsync(settings, cts.Token);
        Func<string, bool> settled = withIncidents
            ? m => Cameras.All(c => m.Contains($"streamanalytics_detection_incidents_total{{camera=\"{c}\"", StringComparison.Ordinal))
            : m => Cameras.All(c => PipelineSettings.Sample(m, $"streamanalytics_windowing_windows_built_total{{camera=\"{c}\"}}") >= 5);
        var scrape = await Eventually.MatchAsync(
            pipeline.ScrapeMetricsAsync,
            settled,
            SettleTimeout,
            withIncidents ? "an incident on each camera" : "windows past calibration on each camera",
            cts.Token,
            m => Lines(m, "streamanalytics_ingest_camera_up", "streamanalytics_ingest_frames_decoded", "streamanalytics_windowing_windows_built", "streamanalytics_detection_"));
        if (!withIncidents)
        {
            Assert.DoesNotContain("streamanalytics_detection_events_total{", scrape, StringComparison.Ordinal);
        }

        await using var prometheus = await PrometheusServer.StartAsync(WriteConfiguration(pipeline.MetricsPort), cts.Token);
        await Eventually.MatchAsync(ct => TargetHealthAsync(prometheus, ct), h => h == "up", ScrapeTimeout, "Prometheus to scrape the pipeline", cts.Token);
        await AssertRulesLoadedAsync(prometheus, cts.Token);

        // The camera variable, as Grafana fills it on a dashboard left at "All": every value of its label_values().
        var definition = GrafanaDashboardFile.Variable(dashboard, "camera").GetProperty("definition").GetString()!;
        var labelValues = LabelValues().Match(definition);
        Assert.True(labelValues.Success, $"camera variable: {definition}");
        var cameras = await Eventually.MatchAsync(
            ct => LabelValuesAsync(prometheus, labelValues.Groups[1].Value, labelValues.Groups[2].Value, ct),
            v => Cameras.All(v.Contains),
            ScrapeTimeout,
            "the camera variable to list both cameras",
            cts.Token,
            v => string.Join(", ", v));
        var cameraRegex = GrafanaDashboardFile.CameraRegex(cameras);

        // Rates need two scrapes inside their window: poll until every query has them, or name what never did.
        await Eventually.MatchAsync(
            ct => FailingQueriesAsync(prometheus, targets, cameraRegex, ct),
            failing => failing.Count == 0,
            QueriesTimeout,
            "every dashboard query to return at least one series",
            cts.Token,
            failing => string.Join(Environment.NewLine, failing) + Environment.NewLine + "Prometheus log:" + Environment.NewLine + prometheus.Log);
    }

    /// <summary>
    /// Every query that returns no series or an error, or (when it groups by camera) does not show every camera;
    /// each named by its panel.
    /// </summary>
    private static async Task<IReadOnlyList<string>> FailingQueriesAsync(PrometheusServer prometheus, IReadOnlyList<DashboardTarget> targets, string cameraRegex, CancellationToken cancellationToken)
    {
        var failing = new List<string>();
        foreach (var target in targets)
        {
            var expression = GrafanaDashboardFile.Expand(target.Expression, cameraRegex);
            var answer = await prometheus.QueryAsync(expression, cancellationToken);
            if (answer.GetProperty("status").GetString() != "success")
            {
                failing.Add($"{target}{Environment.NewLine}  sent {expression}{Environment.NewLine}  error: {answer.GetProperty("error").GetString()}");
                continue;
            }

            var series = answer.GetProperty("data").GetProperty("result").EnumerateArray().ToList();
            if (series.Count == 0)
            {
                failing.Add($"{target}{Environment.NewLine}  sent {expression}{Environment.NewLine}  no series");
                continue;
            }

            if (ByCamera().IsMatch(target.Expression))
            {
                var shown = series.Select(s => s.GetProperty("metric").TryGetProperty("camera", out var camera) ? camera.GetString() : null).ToHashSet();
                var missing = Cameras.Where(c => !shown.Contains(c)).ToList();
                if (missing.Count > 0)
                {
                    failing.Add($"{target}{Environment.NewLine}  sent {expression}{Environment.NewLine}  no series for camera {string.Join(", ", missing)}");
                }
            }
        }

        return failing;
    }

    /// <summary>The example configuration, pointed at this pipeline and scraping every second so that rates exist within seconds.</summary>
    private string WriteConfiguration(int metricsPort)
    {
        var folder = RepositoryRoot.Path("deploy", "prometheus");
        var configuration = File.ReadAllText(Path.Combine(folder, "prometheus.yml"));
        configuration = ReplaceOnce(configuration, "\"127.0.0.1:9464\"", $"\"127.0.0.1:{metricsPort}\"");
        configuration = ReplaceOnce(configuration, "scrape_interval: 15s", "scrape_interval: 1s");
        configuration = ReplaceOnce(configuration, "evaluation_interval: 15s", "evaluation_interval: 1s");
        var path = Path.Combine(_folder, "prometheus.yml");
        File.WriteAllText(path, configuration);
        // rule_files are relative to the configuration file.
        File.Copy(Path.Combine(folder, "alerts.yml"), Path.Combine(_folder, "alerts.yml"));
        return path;
    }

    private static string ReplaceOnce(string text, string oldValue, string newValue)
    {
        Assert.True(text.Contains(oldValue, StringComparison.Ordinal), $"deploy/prometheus/prometheus.yml no longer contains {oldValue}");
        return text.Replace(oldValue, newValue, StringComparison.Ordinal);
    }

    /// <summary>The streamanalytics job's target: its health, and the last scrape error if it is not up.</summary>
    private static async Task<string> TargetHealthAsync(PrometheusServer prometheus, CancellationToken cancellationToken)
    {
        var answer = await prometheus.GetJsonAsync("api/v1/targets", cancellationToken);
        var targets = answer.GetProperty("data").GetProperty("activeTargets").EnumerateArray()
            .Where(t => t.GetProperty("labels").GetProperty("job").GetString() == "streamanalytics")
            .ToList();
        return targets.Count switch
        {
            0 => "no target yet",
            1 when targets[0].GetProperty("health").GetString() == "up" => "up",
            _ => string.Join("; ", targets.Select(t => $"{t.GetProperty("scrapeUrl")} {t.GetProperty("health")} {t.GetProperty("lastError")}")),
        };
    }

    private static async Task AssertRulesLoadedAsync(PrometheusServer prometheus, CancellationToken cancellationToken)
    {
        var answer = await prometheus.GetJsonAsync("api/v1/rules", cancellationToken);
        var loaded = answer.GetProperty("data").GetProperty("groups").EnumerateArray()
            .SelectMany(g => g.GetProperty("rules").EnumerateArray())
            .Select(r => r.GetProperty("name").GetString())
            .ToList();
        Assert.Contains("StreamAnalyticsCameraDown", loaded);
        Assert.All(loaded, name => Assert.StartsWith("StreamAnalytics", name, StringComparison.Ordinal));
    }

    private static async Task<IReadOnlyList<string>> LabelValuesAsync(PrometheusServer prometheus, string metric, string label, CancellationToken cancellationToken)
    {
        var answer = await prometheus.GetJsonAsync($"api/v1/label/{label}/values?match[]={Uri.EscapeDataString(metric)}", cancellationToken);
        return [.. answer.GetProperty("data").EnumerateArray().Select(v => v.GetString()!)];
    }

    private static string Lines(string metrics, params string[] prefixes) =>
        string.Join(Environment.NewLine, metrics.Split('\n').Where(l => prefixes.Any(p => l.StartsWith(p, StringComparison.Ordinal))));
}
