using System.Collections.Concurrent;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace StreamAnalytics.LoadHarness;

/// <summary>
/// The consumer side of the soak: a persistent MQTT session (clean start off, a fixed client id, a session
/// that outlives a disconnect) on every camera's events topic, so the broker keeps QoS 1 events for it while
/// it is away. A background loop reconnects after the broker goes away. Records every eventId received.
/// </summary>
internal sealed class SoakSubscriber : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly MqttClientOptions _options;
    private readonly string _topicFilter;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<string, int> _received = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, List<(string EventId, long LastFrame)>> _byCamera = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _connectLog = new();
    private readonly ConcurrentDictionary<string, byte> _incidents = new(StringComparer.Ordinal);
    private Task? _loop;
    private long _messages;
    private long _unparsed;
    private long _connects;

    public SoakSubscriber(int port, string topicFilter, string clientId)
    {
        _topicFilter = topicFilter;
        _client = new MqttClientFactory().CreateMqttClient();
        _options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithCleanSession(false)
            .WithSessionExpiryInterval(24 * 3600)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(5))
            .WithTimeout(TimeSpan.FromSeconds(5))
            .Build();
        _client.ApplicationMessageReceivedAsync += args =>
        {
            Interlocked.Increment(ref _messages);
            try
            {
                using var json = JsonDocument.Parse(args.ApplicationMessage.ConvertPayloadToString());
                var root = json.RootElement;
                // Payload v2: one eventId per incident, a messageId per message; v1: one eventId per message.
                var eventId = root.GetProperty("eventId").GetString() ?? throw new InvalidOperationException("eventId is null");
                var id = root.TryGetProperty("messageId", out var messageId) ? messageId.GetString() ?? eventId : eventId;
                _incidents.TryAdd(eventId, 0);
                var camera = root.GetProperty("cameraId").GetString() ?? string.Empty;
                var lastFrame = root.GetProperty("window").GetProperty("lastFrame").GetInt64();
                _received.AddOrUpdate(id, 1, (_, n) => n + 1);
                var list = _byCamera.GetOrAdd(camera, _ => []);
                lock (list)
                {
                    list.Add((id, lastFrame));
                }
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                Interlocked.Increment(ref _unparsed);
            }

            return Task.CompletedTask;
        };
    }

    public bool IsConnected => _client.IsConnected;

    public long Messages => Interlocked.Read(ref _messages);

    public long Unparsed => Interlocked.Read(ref _unparsed);

    public long Connects => Interlocked.Read(ref _connects);

    /// <summary>Distinct messages (messageId, or eventId for payload v1).</summary>
    public int Distinct => _received.Count;

    /// <summary>Distinct eventIds (incidents, for payload v2).</summary>
    public int Incidents => _incidents.Count;

    /// <summary>Messages beyond the first for each eventId.</summary>
    public long Duplicates => _received.Values.Sum(n => (long)n - 1);

    public IReadOnlyDictionary<string, int> Received => _received;

    public IEnumerable<string> ConnectLog => _connectLog;

    /// <summary>Arrival order per camera (eventId, window.lastFrame).</summary>
    public Dictionary<string, List<(string EventId, long LastFrame)>> ByCamera()
    {
        var result = new Dictionary<string, List<(string, long)>>(StringComparer.Ordinal);
        foreach (var (camera, list) in _byCamera)
        {
            lock (list)
            {
                result[camera] = [.. list];
            }
        }

        return result;
    }

    /// <summary>Connects (retrying for up to 30 s) and starts the reconnect loop.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await TryConnectAsync(cancellationToken).ConfigureAwait(false))
        {
            if (clock.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new InvalidOperationException("The soak subscriber could not connect to the broker.");
            }

            await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        }

        _loop = Task.Run(() => KeepConnectedAsync(_stop.Token), CancellationToken.None);
    }

    private async Task KeepConnectedAsync(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(250, stop).ConfigureAwait(false);
                if (!_client.IsConnected)
                {
                    await TryConnectAsync(stop).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task<bool> TryConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            var result = await _client.ConnectAsync(_options, cancellationToken).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                return false;
            }

            var n = Interlocked.Increment(ref _connects);
            // Subscribing again is harmless and covers a broker that lost the session.
            await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(_topicFilter, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken).ConfigureAwait(false);
            _connectLog.Enqueue($"{DateTime.Now:HH:mm:ss.fff} connect #{n}: session present {result.IsSessionPresent}");
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        try
        {
            if (_client.IsConnected)
            {
                await _client.DisconnectAsync().ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // The broker may already be gone.
        }

        _client.Dispose();
        _stop.Dispose();
    }
}
