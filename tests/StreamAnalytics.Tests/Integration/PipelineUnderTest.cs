using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Hosting;

namespace StreamAnalytics.Tests.Integration;

/// <summary>The real pipeline, hosted in-process exactly as the executable hosts it, on test configuration.</summary>
internal sealed class PipelineUnderTest : IAsyncDisposable
{
    private readonly IHost _host;

    private PipelineUnderTest(IHost host, ListLoggerProvider logs, int metricsPort)
    {
        _host = host;
        Logs = logs;
        MetricsPort = metricsPort;
    }

    public ListLoggerProvider Logs { get; }

    /// <summary>The HTTP port: metrics, probes, API and status page.</summary>
    public int HttpPort => MetricsPort;

    /// <summary>The same port as <see cref="HttpPort"/>, where /metrics is served.</summary>
    public int MetricsPort { get; }

    /// <summary>A client for the HTTP port (API, probes, metrics), base address set.</summary>
    public HttpClient CreateHttpClient() => new() { BaseAddress = new Uri($"http://127.0.0.1:{HttpPort}/") };

    public PipelineService Pipeline => _host.Services.GetRequiredService<PipelineService>();

    public StreamAnalytics.Observability.PipelineMetrics Metrics => _host.Services.GetRequiredService<StreamAnalytics.Observability.PipelineMetrics>();

    /// <param name="beforeStart">Runs on the built host before it starts (to subscribe to diagnostics from the first frame).</param>
    /// <param name="heads">The detectors to run; the shipped ones (<see cref="HeadModules.CreateDefault"/>) when null.</param>
    public static async Task<PipelineUnderTest> StartAsync(IDictionary<string, string?> settings, CancellationToken cancellationToken, Action<IHost>? beforeStart = null, IReadOnlyList<StreamAnalytics.Heads.IHeadModule>? heads = null)
    {
        var metricsPort = FreeTcpPort.Next();
        var all = new Dictionary<string, string?>(settings)
        {
            ["StreamAnalytics:Http:Port"] = metricsPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["StreamAnalytics:Pipeline:ProgressLogSeconds"] = "0",
        };
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(all).Build();
        var logs = new ListLoggerProvider();
        using var startupLogging = LoggerFactory.Create(b => b.AddProvider(logs));
        var plan = StreamAnalyticsApp.Prepare(configuration, startupLogging, heads);
        Assert.True(plan.IsValid, string.Join(Environment.NewLine, plan.Problems));

        var host = StreamAnalyticsApp.BuildHost(plan, configuration, logging =>
        {
            logging.ClearProviders();
            logging.AddProvider(logs);
            logging.SetMinimumLevel(LogLevel.Debug);
            logging.AddFilter("Microsoft", LogLevel.Warning);
        });
        beforeStart?.Invoke(host);
        await host.StartAsync(cancellationToken);
        return new PipelineUnderTest(host, logs, metricsPort);
    }

    public async Task<string> ScrapeMetricsAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        return await http.GetStringAsync($"http://127.0.0.1:{MetricsPort}/metrics", cancellationToken);
    }

    /// <summary>Completes when the host stops by itself (every camera was a file that ended).</summary>
    public Task WaitForStopAsync(CancellationToken cancellationToken) => _host.WaitForShutdownAsync(cancellationToken);

    public async Task StopAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        await _host.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
    }
}
