using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using StreamAnalytics.Configuration;

namespace StreamAnalytics.Observability;

/// <summary>Serves the pipeline's registry as Prometheus text at http://Host:Port/Path.</summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The server lives from StartAsync to StopAsync, which disposes it.")]
internal sealed partial class MetricsEndpoint(MetricsOptions options, PipelineMetrics metrics, ILogger<MetricsEndpoint> logger) : IHostedService
{
    private MetricServer? _server;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Enabled)
        {
            return Task.CompletedTask;
        }

        var path = options.Path.Trim('/') + "/";
        _server = new MetricServer(options.Host, options.Port, path, metrics.Registry);
        try
        {
            _server.Start();
        }
        catch (System.Net.HttpListenerException ex)
        {
            throw new InvalidOperationException($"Metrics endpoint http://{options.Host}:{options.Port}/{path} cannot listen: {ex.Message}. Set Metrics.Port to a free port or Metrics.Enabled to false.", ex);
        }

        LogListening(options.Host, options.Port, path);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is { } server)
        {
            await server.StopAsync().ConfigureAwait(false);
            server.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Metrics at http://{Host}:{Port}/{Path}")]
    private partial void LogListening(string host, int port, string path);
}
