using System.Text;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using StreamAnalytics.Configuration;
using StreamAnalytics.Observability;
using StreamAnalytics.Retry;

namespace StreamAnalytics.Publishing;

/// <summary>
/// The service's one MQTT session: connects (TLS and credentials as configured) with backoff, marks
/// <c>&lt;prefix&gt;/status</c> retained <c>online</c> with a last will of <c>offline</c>, and tells
/// listeners when a session starts so they can re-publish state.
/// </summary>
internal sealed partial class MqttConnection : IAsyncDisposable
{
    private static readonly byte[] Online = Encoding.UTF8.GetBytes("online");
    private static readonly byte[] Offline = Encoding.UTF8.GetBytes("offline");

    private readonly MqttOptions _options;
    private readonly PipelineMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly IMqttClient _client;
    private readonly MqttClientOptions _clientOptions;
    private readonly MqttTls? _tls;
    private readonly ReconnectBackoff _backoff;
    private readonly SemaphoreSlim _connectGate = new(1, 1);
    private volatile bool _goingOffline;

    /// <param name="shard">Set in a sharded deployment (<c>shard-2</c>): the client id and the status topic get it, since processes sharing one configuration must not share a session or a last will.</param>
    public MqttConnection(MqttOptions options, PipelineMetrics metrics, TimeProvider time, ILogger<MqttConnection> logger, string? shard = null)
    {
        _options = options;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        Topics = new TopicNames(options.TopicPrefix, shard);
        _client = new MqttClientFactory().CreateMqttClient();
        _client.DisconnectedAsync += OnDisconnectedAsync;
        (_clientOptions, _tls) = BuildClientOptions(options, Topics, shard is null ? options.ClientId : $"{options.ClientId}-{shard}");
        _backoff = new ReconnectBackoff(
            TimeSpan.FromSeconds(options.ReconnectInitialDelaySeconds),
            TimeSpan.FromSeconds(options.ReconnectMaxDelaySeconds));
    }

    public TopicNames Topics { get; }

    public bool IsConnected => _client.IsConnected;

    /// <summary>Raised after each successful connect (the status topic already says <c>online</c>).</summary>
    public event Func<CancellationToken, Task>? Connected;

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
                    var result = await _client.ConnectAsync(_clientOptions, cancellationToken).ConfigureAwait(false);
                    if (result.ResultCode != MqttClientConnectResultCode.Success)
                    {
                        throw new InvalidOperationException($"broker refused the connection: {result.ResultCode}");
                    }

                    await PublishAsync(Topics.Status, Online, retain: true, cancellationToken).ConfigureAwait(false);
                    _metrics.BrokerConnected.Set(1);
                    _backoff.Reset();
                    LogConnected(_options.Host, _options.Port, Topics.Status);
                    if (Connected is { } handlers)
                    {
                        foreach (var handler in handlers.GetInvocationList().Cast<Func<CancellationToken, Task>>())
                        {
                            await handler(cancellationToken).ConfigureAwait(false);
                        }
                    }
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    var delay = _backoff.Next();
                    var reason = _tls?.LastRejection is { } rejection ? $"TLS: {rejection}" : Describe(ex);
                    LogConnectFailed(_options.Host, _options.Port, reason, delay.TotalSeconds);
                    await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            _connectGate.Release();
        }
    }

    /// <summary>Publishes at QoS 1 and returns whether the broker acknowledged it.</summary>
    public async Task<bool> PublishAsync(string topic, byte[] payload, bool retain, CancellationToken cancellationToken)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var result = await _client.PublishAsync(message, cancellationToken).ConfigureAwait(false);
        return result.IsSuccess;
    }

    /// <summary>Waits one backoff step; used after a refused publish so a broker that rejects us is not hammered.</summary>
    public Task BackOffAsync(CancellationToken cancellationToken) => Task.Delay(_backoff.Next(), _time, cancellationToken);

    /// <summary>Marks the service offline (retained) and disconnects cleanly, so the will is not needed.</summary>
    public async Task GoOfflineAsync(CancellationToken cancellationToken)
    {
        _goingOffline = true;
        if (!_client.IsConnected)
        {
            return;
        }

        try
        {
            await PublishAsync(Topics.Status, Offline, retain: true, cancellationToken).ConfigureAwait(false);
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException)
        {
            LogOfflineFailed(Describe(ex));
        }
    }

    internal static string Describe(Exception ex)
    {
        var message = ex.Message;
        for (var inner = ex.InnerException; inner is not null; inner = inner.InnerException)
        {
            if (!message.Contains(inner.Message, StringComparison.Ordinal))
            {
                message += " → " + inner.Message;
            }
        }

        return CredentialRedactor.Redact(message);
    }

    private static (MqttClientOptions Options, MqttTls? Tls) BuildClientOptions(MqttOptions options, TopicNames topics, string clientId)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(options.Host, options.Port)
            .WithClientId(clientId)
            .WithCleanSession()
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(options.KeepAliveSeconds))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithWillTopic(topics.Status)
            .WithWillPayload(Offline)
            .WithWillRetain()
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (options.Username is not null)
        {
            builder = builder.WithCredentials(options.Username, MqttCredentials.ReadPassword(options));
        }

        MqttTls? tls = null;
        if (options.Tls.Enabled)
        {
            (var tlsOptions, tls) = MqttTls.Configure(options.Tls, options.Host);
            builder = builder.WithTlsOptions(tlsOptions);
        }

        return (builder.Build(), tls);
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs args)
    {
        _metrics.BrokerConnected.Set(0);
        if (args.ClientWasConnected && !_goingOffline)
        {
            LogDisconnected(_options.Host, _options.Port, args.Exception is { } ex ? Describe(ex) : args.Reason.ToString());
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT: could not mark the service offline on shutdown ({Reason}); the broker's last will does it")]
    private partial void LogOfflineFailed(string reason);
}
