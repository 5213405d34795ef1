using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using MQTTnet;
using MQTTnet.Protocol;
using StreamAnalytics.Tests.Support;

namespace StreamAnalytics.Tests.Integration;

/// <summary>
/// The broker link over TLS with a password, against a real mosquitto whose certificate a private CA
/// signed: the right settings deliver events, and a wrong password or an untrusted CA is reported
/// clearly while capture carries on and events wait in the outbox.
/// </summary>
[Collection(IntegrationCollection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed partial class BrokerTlsTests
{
    private const string User = "sa";
    private const string Password = "correct-horse";
    private const string WrongPassword = "wrong-battery-Zq81";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Events_reach_a_tls_subscriber_when_the_pipeline_trusts_the_private_ca_and_logs_in()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var certificates = await TestCertificates.CreateAsync(cts.Token);
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoSetup(Credentials: (User, Password), Tls: certificates.ForMosquitto), cts.Token);
        await using var subscriber = await TlsSubscriber.ConnectAsync(broker, "satest/#", cts.Token);
        var settings = Settings(broker, certificates.CaFile, Password);

        await using var pipeline = await PipelineUnderTest.StartAsync(settings, cts.Token);
        await subscriber.WaitForAsync("satest/walkway/events", 3, Timeout);
        var metrics = await pipeline.ScrapeMetricsAsync(cts.Token);

        Assert.Contains(subscriber.Messages, m => m.Topic == "satest/status" && m.Payload == "online");
        foreach (var (_, payload) in subscriber.Messages.Where(m => m.Topic == "satest/walkway/events"))
        {
            var e = EventSubscriber.Parse(payload);
            Assert.Equal("walkway", e.GetProperty("cameraId").GetString());
            Assert.Equal("anomaly", e.GetProperty("type").GetString());
        }

        Assert.Equal(1, PipelineSettings.Sample(metrics, "streamanalytics_publishing_broker_connected"));
        Assert.True(PipelineSettings.Sample(metrics, "streamanalytics_publishing_events_published_total{camera=\"walkway\"}") >= 3, metrics);
        Assert.Contains($"MQTT: connected to 127.0.0.1:{broker.Port}", pipeline.Logs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("MQTT: cannot connect", pipeline.Logs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, pipeline.Logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_password_is_reported_and_retried_while_frames_flow_and_events_wait_in_the_outbox()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var certificates = await TestCertificates.CreateAsync(cts.Token);
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoSetup(Credentials: (User, Password), Tls: certificates.ForMosquitto), cts.Token);
        var settings = Settings(broker, certificates.CaFile, WrongPassword);

        await using var pipeline = await PipelineUnderTest.StartAsync(settings, cts.Token);
        var failures = await WaitForConnectFailuresAsync(pipeline, 2, cts.Token);
        var first = await pipeline.ScrapeMetricsAsync(cts.Token);
        var metrics = await Eventually.MatchAsync(
            pipeline.ScrapeMetricsAsync,
            m => Decoded(m) > Decoded(first) && PipelineSettings.Sample(m, "streamanalytics_publishing_outbox_events") > 0,
            Timeout,
            "more decoded frames and events in the outbox",
            cts.Token);

        Assert.False(pipeline.Pipeline.ExecuteTask!.IsCompleted, "the pipeline stopped");
        Assert.All(failures, line => Assert.Matches(@"cannot connect to 127\.0\.0\.1:\d+ \(.*(NotAuthorized|BadUserNameOrPassword)", line));
        Assert.Equal(0, PipelineSettings.Sample(metrics, "streamanalytics_publishing_broker_connected"));
        Assert.Equal(0, PipelineSettings.Sample(metrics, "streamanalytics_publishing_events_published_total{camera=\"walkway\"}"));
        Assert.Equal(1, PipelineSettings.Sample(metrics, "streamanalytics_ingest_camera_up{camera=\"walkway\"}"));
        Assert.DoesNotContain(WrongPassword, pipeline.Logs.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(WrongPassword, metrics, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, pipeline.Logs.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_ca_file_the_system_trust_store_rejects_the_broker_with_a_certificate_error_and_nothing_crashes()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var certificates = await TestCertificates.CreateAsync(cts.Token);
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoSetup(Credentials: (User, Password), Tls: certificates.ForMosquitto), cts.Token);
        var settings = Settings(broker, caFile: null, Password);

        await using var pipeline = await PipelineUnderTest.StartAsync(settings, cts.Token);
        var failures = await WaitForConnectFailuresAsync(pipeline, 2, cts.Token);
        var first = await pipeline.ScrapeMetricsAsync(cts.Token);
        var metrics = await Eventually.MatchAsync(pipeline.ScrapeMetricsAsync, m => Decoded(m) > Decoded(first), Timeout, "more decoded frames", cts.Token);

        Assert.False(pipeline.Pipeline.ExecuteTask!.IsCompleted, "the pipeline stopped");
        Assert.All(failures, line => Assert.Matches(@"cannot connect to 127\.0\.0\.1:\d+ \(.*certificate", line));
        Assert.Equal(0, PipelineSettings.Sample(metrics, "streamanalytics_publishing_broker_connected"));
        Assert.DoesNotContain(Password, pipeline.Logs.Text, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Settings(MosquittoBroker broker, string? caFile, string password)
    {
        var settings = PipelineSettings.Base(broker.Port, embeddedBroker: false);
        settings["StreamAnalytics:Mqtt:Tls:Enabled"] = "true";
        if (caFile is not null)
        {
            settings["StreamAnalytics:Mqtt:Tls:CaFile"] = caFile;
        }

        settings["StreamAnalytics:Mqtt:Username"] = User;
        settings["StreamAnalytics:Mqtt:Password"] = password;
        // Events that cannot be delivered stay in the outbox; do not spend the default 20 s trying at shutdown.
        settings["StreamAnalytics:Pipeline:DrainTimeoutSeconds"] = "2";
        PipelineSettings.AddCamera(settings, 0, "walkway", SharedData.Path("ucsd-ped2", "test", "test01.mp4"));
        return settings;
    }

    private static Task<IReadOnlyList<string>> WaitForConnectFailuresAsync(PipelineUnderTest pipeline, int count, CancellationToken cancellationToken) =>
        Eventually.MatchAsync<IReadOnlyList<string>>(
            () => [.. pipeline.Logs.Lines.Where(l => ConnectFailure().IsMatch(l))],
            lines => lines.Count >= count,
            Timeout,
            $"{count} 'MQTT: cannot connect' log lines",
            cancellationToken,
            _ => pipeline.Logs.Text);

    private static double Decoded(string metrics) => PipelineSettings.Sample(metrics, "streamanalytics_ingest_frames_decoded_total{camera=\"walkway\"}");

    [GeneratedRegex(@"MQTT: cannot connect to \S+ \(.*\); retrying in")]
    private static partial Regex ConnectFailure();

    /// <summary>A subscriber that logs in over TLS (it does not check the broker's certificate; the pipeline's side is what is tested).</summary>
    private sealed class TlsSubscriber : IAsyncDisposable
    {
        private readonly IMqttClient _client;
        private readonly ConcurrentQueue<(string Topic, string Payload)> _messages = new();
        private readonly Lock _gate = new();
        private readonly List<(string Topic, int Count, TaskCompletionSource Done)> _waiters = [];

        private TlsSubscriber(IMqttClient client)
        {
            _client = client;
            _client.ApplicationMessageReceivedAsync += args =>
            {
                _messages.Enqueue((args.ApplicationMessage.Topic, args.ApplicationMessage.ConvertPayloadToString()));
                lock (_gate)
                {
                    foreach (var waiter in _waiters.Where(w => _messages.Count(m => m.Topic == w.Topic) >= w.Count))
                    {
                        waiter.Done.TrySetResult();
                    }
                }

                return Task.CompletedTask;
            };
        }

        public IReadOnlyList<(string Topic, string Payload)> Messages => [.. _messages];

        public static async Task<TlsSubscriber> ConnectAsync(MosquittoBroker broker, string topicFilter, CancellationToken cancellationToken)
        {
            var client = new MqttClientFactory().CreateMqttClient();
            var subscriber = new TlsSubscriber(client);
            var options = new MqttClientOptionsBuilder()
                .WithTcpServer(broker.Host, broker.Port)
                .WithClientId("test-tls-" + Guid.NewGuid().ToString("N")[..8])
                .WithCredentials(User, Password)
                .WithTlsOptions(o => o.UseTls().WithCertificateValidationHandler(_ => true))
                .WithCleanSession()
                .Build();
            await client.ConnectAsync(options, cancellationToken);
            await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(topicFilter, MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken);
            return subscriber;
        }

        public Task WaitForAsync(string topic, int count, TimeSpan timeout)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            lock (_gate)
            {
                if (_messages.Count(m => m.Topic == topic) >= count)
                {
                    return Task.CompletedTask;
                }

                _waiters.Add((topic, count, done));
            }

            return done.Task.WaitAsync(timeout);
        }

        public async ValueTask DisposeAsync()
        {
            if (_client.IsConnected)
            {
                await _client.DisconnectAsync();
            }

            _client.Dispose();
        }
    }
}
