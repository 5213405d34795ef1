using System.Collections.Concurrent;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;

namespace StreamAnalytics.LoadHarness;

/// <summary>
/// An MQTT subscriber on every camera's events topic. For each event it records the delay from the
/// window's last capture time (when the pipeline read that frame from ffmpeg) to the event's arrival here,
/// and the part of it up to detection (detectedAt).
/// </summary>
internal sealed class EventProbe : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly ConcurrentQueue<(DateTimeOffset Arrived, double CaptureToArrival, double CaptureToDetection)> _events = new();
    private long _unparsed;

    private EventProbe(IMqttClient client)
    {
        _client = client;
        _client.ApplicationMessageReceivedAsync += args =>
        {
            var arrived = DateTimeOffset.UtcNow;
            using var overhead = HarnessOverhead.Measure();
            try
            {
                using var json = JsonDocument.Parse(args.ApplicationMessage.ConvertPayloadToString());
                var root = json.RootElement;
                var last = root.GetProperty("window").GetProperty("lastCaptureTime").GetDateTimeOffset();
                var detected = root.GetProperty("detectedAt").GetDateTimeOffset();
                _events.Enqueue((arrived, (arrived - last).TotalSeconds, (detected - last).TotalSeconds));
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                Interlocked.Increment(ref _unparsed);
            }

            return Task.CompletedTask;
        };
    }

    public long Unparsed => Interlocked.Read(ref _unparsed);

    public static async Task<EventProbe> ConnectAsync(int port, string topicFilter, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var client = new MqttClientFactory().CreateMqttClient();
            try
            {
                var options = new MqttClientOptionsBuilder()
                    .WithTcpServer("127.0.0.1", port)
                    .WithClientId("sa-load-probe-" + Guid.NewGuid().ToString("N")[..8])
                    .WithCleanSession()
                    .Build();
                await client.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
                var probe = new EventProbe(client);
                await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(topicFilter, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken).ConfigureAwait(false);
                return probe;
            }
            catch (Exception ex) when (attempt < 20 && ex is not OperationCanceledException)
            {
                client.Dispose();
                await Task.Delay(500, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Events that arrived in [from, to).</summary>
    public List<(double CaptureToArrival, double CaptureToDetection)> Between(DateTimeOffset from, DateTimeOffset to) =>
        [.. _events.Where(e => e.Arrived >= from && e.Arrived < to).Select(e => (e.CaptureToArrival, e.CaptureToDetection))];

    public async ValueTask DisposeAsync()
    {
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
    }
}
