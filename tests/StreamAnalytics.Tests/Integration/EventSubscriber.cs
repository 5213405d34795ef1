using System.Collections.Concurrent;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;

namespace StreamAnalytics.Tests.Integration;

/// <summary>A real MQTT subscriber that completes a task once it has received a given number of messages.</summary>
internal sealed class EventSubscriber : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly ConcurrentQueue<(string Topic, string Payload, bool Retained)> _messages = new();
    private readonly List<(Func<string, bool> Topic, int Count, TaskCompletionSource Done)> _waiters = [];
    private readonly Lock _gate = new();

    private EventSubscriber(IMqttClient client)
    {
        _client = client;
        _client.ApplicationMessageReceivedAsync += args =>
        {
            var message = args.ApplicationMessage;
            _messages.Enqueue((message.Topic, message.ConvertPayloadToString(), message.Retain));
            lock (_gate)
            {
                foreach (var waiter in _waiters.Where(w => _messages.Count(m => w.Topic(m.Topic)) >= w.Count))
                {
                    waiter.Done.TrySetResult();
                }
            }

            return Task.CompletedTask;
        };
    }

    public IReadOnlyList<(string Topic, string Payload, bool Retained)> Messages => [.. _messages];

    public static async Task<EventSubscriber> ConnectAsync(string host, int port, string topicFilter, CancellationToken cancellationToken)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder().WithTcpServer(host, port).WithClientId("test-" + Guid.NewGuid().ToString("N")[..8]).WithCleanSession().Build();
        await client.ConnectAsync(options, cancellationToken);

        var subscriber = new EventSubscriber(client);
        await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(topicFilter, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken);
        return subscriber;
    }

    /// <summary>Completes when at least <paramref name="count"/> messages on matching topics have arrived.</summary>
    public Task WaitForAsync(Func<string, bool> topic, int count, TimeSpan timeout)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_messages.Count(m => topic(m.Topic)) >= count)
            {
                return Task.CompletedTask;
            }

            _waiters.Add((topic, count, done));
        }

        return done.Task.WaitAsync(timeout);
    }

    public static JsonElement Parse(string payload) => JsonDocument.Parse(payload).RootElement.Clone();

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }
}
