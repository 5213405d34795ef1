namespace StreamAnalytics.Tests.Integration;

/// <summary>A broker outage never loses an event: they wait in the outbox and go out in order afterwards.</summary>
[Collection(IntegrationCollection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class BrokerOutageTests
{
    [Fact]
    public async Task Broker_stopped_for_30_s_while_events_flow_then_every_event_is_delivered_in_order()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var broker = await MosquittoBroker.StartAsync(new MosquittoSetup(Persistent: true), cts.Token);
        // A persistent session, so the broker keeps what is published while this subscriber is reconnecting.
        await using var subscriber = await EventSubscriber.ConnectAsync(broker.Host, broker.Port, "satest/+/events", cts.Token, persistentSession: true);
        var settings = PipelineSettings.Base(broker.Port, embeddedBroker: false);
        PipelineSettings.AddCamera(settings, 0, "one", SharedData.Path("ucsd-ped2", "test", "test07.mp4"));
        PipelineSettings.AddCamera(settings, 1, "two", SharedData.Path("surveillance-fight", "noFight", "nofi001.mp4"));

        var pipeline = await PipelineUnderTest.StartAsync(settings, cts.Token);
        var metrics = pipeline.Metrics;
        try
        {
            await subscriber.WaitForAsync(t => t.EndsWith("/events", StringComparison.Ordinal), 4, TimeSpan.FromSeconds(60));

            await broker.StopAsync();
            var detectedAtStop = Detected(metrics);
            // The outage the scenario prescribes: 30 s without a broker while the cameras keep producing events.
            await Task.Delay(TimeSpan.FromSeconds(30), cts.Token);
            var metricsDuringOutage = await pipeline.ScrapeMetricsAsync(cts.Token);
            await broker.StartAgainAsync(cts.Token);
            await subscriber.ReconnectAsync(cts.Token);

            Assert.True(Detected(metrics) > detectedAtStop + 10, "events kept being produced during the outage");
            Assert.True(PipelineSettings.Sample(metricsDuringOutage, "streamanalytics_publishing_outbox_events") > 0, metricsDuringOutage);
            Assert.Equal(0, PipelineSettings.Sample(metricsDuringOutage, "streamanalytics_publishing_broker_connected"));
        }
        finally
        {
            await pipeline.DisposeAsync();
        }

        var produced = (int)Detected(metrics);
        // Timing out here is not the verdict: the assertions below say what was missing.
        await subscriber.WaitForAsync(_ => EventOrder.Distinct(subscriber).Count >= produced, 1, TimeSpan.FromSeconds(60)).ContinueWith(_ => { }, TaskScheduler.Default);
        var received = EventOrder.Distinct(subscriber);

        Assert.Equal(produced, received.Count);
        EventOrder.AssertOrderedPerCamera(received);
        Assert.Equal(produced, (int)metrics.EventsPublished.WithLabels("one").Value + (int)metrics.EventsPublished.WithLabels("two").Value);
    }

    private static double Detected(StreamAnalytics.Observability.PipelineMetrics metrics) =>
        metrics.EventsDetected.WithLabels("one", "anomaly").Value + metrics.EventsDetected.WithLabels("two", "anomaly").Value;
}
