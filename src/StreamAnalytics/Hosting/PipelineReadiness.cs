using StreamAnalytics.Configuration;
using StreamAnalytics.Http;
using StreamAnalytics.Inference;
using StreamAnalytics.Observability;
using StreamAnalytics.Publishing;

namespace StreamAnalytics.Hosting;

/// <summary>
/// Ready means: the model is loaded (always, once the host runs: start-up refuses to run without it), the pipeline
/// has started its configured cameras, and events get out (the broker is connected, or it is away but the outbox
/// still holds fewer than <see cref="HttpOptions.ReadyMaxOutboxEvents"/> events). A camera that is down does not make
/// the service unready: one broken camera must not take the others out of a load balancer.
/// </summary>
internal sealed class PipelineReadiness : IReadiness
{
    private readonly HttpOptions _options;
    private readonly OnnxModel _model;
    private readonly PipelineService _pipeline;
    private readonly MqttConnection _connection;
    private readonly EventPublisher _publisher;

    public PipelineReadiness(HttpOptions options, OnnxModel model, PipelineService pipeline, MqttConnection connection, EventPublisher publisher, PipelineMetrics metrics)
    {
        _options = options;
        _model = model;
        _pipeline = pipeline;
        _connection = connection;
        _publisher = publisher;
        metrics.Registry.AddBeforeCollectCallback(() => metrics.Ready.Set(Check().Ready ? 1 : 0));
    }

    public ReadinessReport Check()
    {
        var cameras = _pipeline.CameraSet?.Snapshot();
        var pending = _publisher.Pending;
        var connected = _connection.IsConnected;
        return new ReadinessReport(new Dictionary<string, ReadinessCheck>
        {
            ["model"] = new(true, $"{_model.Manifest.Name} {_model.Manifest.Version} on {_model.ExecutionProvider}"),
            ["cameras"] = cameras is null
                ? new(false, "the pipeline is starting its cameras")
                : new(true, $"{cameras.Count} started here, {cameras.Count(c => c.Reader.State == Ingest.CameraState.Online)} online"),
            ["publishing"] = connected
                ? new(true, $"broker connected, {pending} events waiting in the outbox")
                : new(pending < _options.ReadyMaxOutboxEvents, $"broker not connected, {pending} events waiting in the outbox (not ready from {_options.ReadyMaxOutboxEvents})"),
        });
    }
}
