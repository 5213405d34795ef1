using System.Text;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using StreamAnalytics.Configuration;
using StreamAnalytics.Detection;
using StreamAnalytics.Ingest;
using StreamAnalytics.Observability;

namespace StreamAnalytics.Publishing;

/// <summary>
/// Publishes events at QoS 1 in the order they were detected. An event leaves memory only after the
/// broker's PUBACK; while the broker is away the publisher reconnects with backoff and the pipeline
/// keeps running. The retained status topic says <c>online</c>, and the last will says <c>offline</c>.
/// </summary>
public sealed partial class MqttEventPublisher : IAsyncDisposable
{
    private static readonly byte[] Online = Encoding.UTF8.GetBytes("online");
    private static readonly byte[] Offline = Encoding.UTF8.GetBytes("offline");

    private readonly MqttOptions _options;
    private readonly PipelineMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IMqttClient _client;
    private readonly MqttClientOptions _clientOptions;
    private readonly ReconnectBackoff _backoff;
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private long _published;
    private volatile bool _goingOffline;

    public MqttEventPublisher(MqttOptions options, PipelineMetrics metrics, TimeProvider time, ILogger<MqttEventPublisher> logger)
    {
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        Topics = new TopicNames(options.TopicPrefix);
        _client = new MqttClientFactory().CreateMqttClient();
        _client.DisconnectedAsync += OnDisconnectedAsync;
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(options.Host, options.Port)
            .WithClientId(options.ClientId)
            .WithCleanSession()
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(options.KeepAliveSeconds))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithWillTopic(Topics.Status)
            .WithWillPayload(Offline)
            .WithWillRetain()
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (options.Username is not null)
        {
            builder = builder.WithCredentials(options.Username, MqttCredentials.ReadPassword(options));
        }

        _clientOptions = builder.Build();
        _backoff = new ReconnectBackoff(
            TimeSpan.FromSeconds(options.ReconnectInitialDelaySeconds),
            TimeSpan.FromSeconds(options.ReconnectMaxDelaySeconds));
    }

    public TopicNames Topics { get; }

    public bool IsConnected => _client.IsConnected;

    public long Published => Interlocked.Read(ref _published);

    /// <summary>Connects, retrying with backoff until it succeeds or <paramref name="cancellationToken"/> fires.</summary>
    public async Task EnsureConnectedAsync(CancellationToken cancellationToken)
    {
        if (_client.IsConnected)
        {
            return;
        }

        await _connectGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (!_client.IsConnected)
            {
                try
                {
                    await _client.ConnectAsync(_clientOptions, cancellationToken).ConfigureAwait(false);
                    await PublishStatusAsync(Online, cancellationToken).ConfigureAwait(false);
                    _metrics.BrokerConnected.Set(1);
                    _backoff.Reset();
                    LogConnected(_options.Host, _options.Port, Topics.Status);
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    var delay = _backoff.Next();
                    LogConnectFailed(_options.Host, _options.Port, CredentialRedactor.Redact(ex.Message), delay.TotalSeconds);
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _connectGate.Release();
        }
    }

    /// <summary>Publishes every event from <paramref name="input"/> until it completes; each is retried until acknowledged.</summary>
    public async Task RunAsync(ChannelReader<DetectionEvent> input, CancellationToken cancellationToken)
    {
        while (await input.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (input.TryPeek(out var next))
            {
                await PublishUntilAcknowledgedAsync(next, cancellationToken).ConfigureAwait(false);
                input.TryRead(out _);
            }
        }
    }

    private async Task PublishUntilAcknowledgedAsync(DetectionEvent detected, CancellationToken cancellationToken)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Events(detected.CameraId))
            .WithPayload(EventSerializer.Serialize(detected))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithContentType("application/json")
            .Build();
        while (true)
        {
            await EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
            string reason;
            try
            {
                var result = await _client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
                if (result.IsSuccess)
                {
                    Interlocked.Increment(ref _published);
                    _metrics.EventsPublished.WithLabels(detected.CameraId).Inc();
                    _metrics.EventDelay.WithLabels(detected.CameraId).Observe(Math.Max(0, (_time.GetUtcNow() - detected.LastCaptureTime).TotalSeconds));
                    LogPublished(detected.CameraId, detected.Type, detected.Label, detected.Score, detected.FirstSequence, detected.LastSequence);
                    return;
                }

                reason = $"broker answered {result.ReasonCode}";
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                reason = CredentialRedactor.Redact(ex.Message);
            }

            _metrics.EventsFailed.WithLabels(detected.CameraId).Inc();
            LogPublishFailed(detected.EventId, detected.CameraId, reason);
            if (_client.IsConnected)
            {
                // Refused while connected: wait before the retry so a broker that rejects us is not hammered.
                await Task.Delay(_backoff.Next(), _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private Task PublishStatusAsync(byte[] status, CancellationToken cancellationToken) =>
        _client.PublishAsync(
            new MqttApplicationMessageBuilder()
                .WithTopic(Topics.Status)
                .WithPayload(status)
                .WithRetainFlag()
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(),
            cancellationToken);

    /// <summary>Marks the service offline (retained) and disconnects cleanly, so the will is not needed.</summary>
    public async Task GoOfflineAsync(CancellationToken cancellationToken)
    {
        if (!_client.IsConnected)
        {
            return;
        }

        _goingOffline = true;
        try
        {
            await PublishStatusAsync(Offline, cancellationToken).ConfigureAwait(false);
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException)
        {
            LogOfflineFailed(CredentialRedactor.Redact(ex.Message));
        }
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs args)
    {
        _metrics.BrokerConnected.Set(0);
        if (args.ClientWasConnected && !_goingOffline)
        {
            LogDisconnected(_options.Host, _options.Port, CredentialRedactor.Redact(args.Exception?.Message ?? args.Reason.ToString()));
        }

        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        _connectGate.Dispose();
        return ValueTask.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT: connected to {Host}:{Port}; {StatusTopic} is online")]
    private partial void LogConnected(string host, int port, string statusTopic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT: cannot connect to {Host}:{Port} ({Reason}); retrying in {DelaySeconds:0.0} s, events are kept meanwhile")]
    private partial void LogConnectFailed(string host, int port, string reason, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT: lost the connection to {Host}:{Port} ({Reason}); reconnecting")]
    private partial void LogDisconnected(string host, int port, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT: event {EventId} of camera {CameraId} was not acknowledged ({Reason}); retrying")]
    private partial void LogPublishFailed(Guid eventId, string cameraId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event: camera {CameraId} {Type}/{Label} score {Score:0.000} frames {FirstFrame}-{LastFrame}")]
    private partial void LogPublished(string cameraId, string type, string label, double score, long firstFrame, long lastFrame);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT: could not mark the service offline on shutdown ({Reason}); the broker's last will does it")]
    private partial void LogOfflineFailed(string reason);
}
