using System.Collections.Concurrent;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;

namespace StreamAnalytics.Tests.Integration;

/// <summary>A real MQTT subscriber that completes a task once it has received a given number of messages.</summary>
internal sealed class EventSubscriber : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly MqttClientOptions _options;
    private readonly string _topicFilter;
    private readonly ConcurrentQueue<(string Topic, string Payload, bool Retained)> _messages = new();
    private readonly List<(Func<string, bool> Topic, int Count, TaskCompletionSource Done)> _waiters = [];
    private readonly List<(string Topic, Func<string, bool> Match, TaskCompletionSource Done)> _matchers = [];
    private readonly Lock _gate = new();

    private EventSubscriber(IMqttClient client, MqttClientOptions options, string topicFilter)
    {
        _client = client;
        _options = options;
        _topicFilter = topicFilter;
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

                foreach (var matcher in _matchers.Where(m => m.Topic == message.Topic && m.Match(message.ConvertPayloadToString())))
                {
                    matcher.Done.TrySetResult();
                }
            }

            return Task.CompletedTask;
        };
    }

    public IReadOnlyList<(string Topic, string Payload, bool Retained)> Messages => [.. _messages];

    /// <param name="persistentSession">Keep the session (and QoS 1 messages queued for it) in the broker while this subscriber is away.</param>
    public static async Task<EventSubscriber> ConnectAsync(string host, int port, string topicFilter, CancellationToken cancellationToken, bool persistentSession = false)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId("test-" + Guid.NewGuid().ToString("N")[..8])
            .WithCleanSession(!persistentSession)
            .WithSessionExpiryInterval(persistentSession ? 3600u : 0u)
            .Build();
        var subscriber = new EventSubscriber(client, options, topicFilter);
        await subscriber.ReconnectAsync(cancellationToken);
        return subscriber;
    }

    /// <summary>Connects again (after a broker restart) and renews the subscription.</summary>
    public async Task ReconnectAsync(CancellationToken cancellationToken)
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(cancellationToken: cancellationToken);
        }

        await _client.ConnectAsync(_options, cancellationToken);
        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(_topicFilter, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken);
    }

    /// <summary>Completes when a message on <paramref name="topic"/> satisfies <paramref name="match"/>.</summary>
    public Task WaitForMessageAsync(string topic, Func<string, bool> match, TimeSpan timeout)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_messages.Any(m => m.Topic == topic && match(m.Payload)))
            {
                return Task.CompletedTask;
            }

            _matchers.Add((topic, match, done));
        }

        return done.Task.WaitAsync(timeout);
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
            try
            {
                await _client.DisconnectAsync();
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException)
            {
                // The broker went first (a pipeline's embedded broker stops with it) before the client noticed:
                // there is nothing left to disconnect from.
            }
        }

        _client.Dispose();
    }
}
