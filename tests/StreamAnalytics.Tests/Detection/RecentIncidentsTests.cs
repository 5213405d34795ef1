using Prometheus;
using StreamAnalytics.Detection;

namespace StreamAnalytics.Tests.Detection;

public sealed class RecentIncidentsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void One_record_per_incident_newest_first_and_the_oldest_forgotten_beyond_the_capacity()
    {
        var recent = new RecentIncidents(capacity: 2);
        var a = Message("a", Guid.NewGuid(), IncidentPhase.Start, 0);
        var b = Message("b", Guid.NewGuid(), IncidentPhase.Start, 1);
        var c = Message("c", Guid.NewGuid(), IncidentPhase.Start, 2);

        recent.Record(a);
        recent.Record(b);
        recent.Record(a with { Phase = IncidentPhase.End, DetectedAt = T0.AddSeconds(3) });
        recent.Record(c);

        var listed = recent.Query(null, null, null, 10);
        Assert.Equal(["c", "a"], listed.Select(r => r.CameraId));
        Assert.Equal(IncidentPhase.End, listed[1].Phase);
        Assert.Equal(2, recent.Count);
    }

    [Fact]
    public void Filters_by_camera_type_time_and_limit()
    {
        var recent = new RecentIncidents(capacity: 10);
        recent.Record(Message("gate", Guid.NewGuid(), IncidentPhase.Start, 0));
        recent.Record(Message("gate", Guid.NewGuid(), IncidentPhase.Start, 10) with { Type = "action" });
        recent.Record(Message("yard", Guid.NewGuid(), IncidentPhase.Start, 20));

        Assert.Equal(2, recent.Query("gate", null, null, 10).Count);
        Assert.Single(recent.Query("gate", "anomaly", null, 10));
        Assert.Equal(["yard", "gate"], recent.Query(null, null, T0.AddSeconds(10), 10).Select(r => r.CameraId));
        Assert.Single(recent.Query(null, null, null, 1));
    }

    [Fact]
    public void A_subscriber_gets_every_message_and_a_slow_one_loses_its_oldest_counted()
    {
        var dropped = Metrics.WithCustomRegistry(Metrics.NewCustomRegistry()).CreateCounter("dropped_total", "test");
        var recent = new RecentIncidents(capacity: 1000, dropped);
        using var subscription = recent.Subscribe();

        for (var i = 0; i < 300; i++)
        {
            recent.Record(Message("gate", Guid.NewGuid(), IncidentPhase.Start, i));
        }

        var received = new List<IncidentRecord>();
        while (subscription.Reader.TryRead(out var record))
        {
            received.Add(record);
        }

        Assert.Equal(256, received.Count);
        Assert.Equal(44, dropped.Value);
        Assert.Equal(T0.AddSeconds(299), received[^1].UpdatedAt);

        subscription.Dispose();
        recent.Record(Message("gate", Guid.NewGuid(), IncidentPhase.Start, 400));
        Assert.False(subscription.Reader.TryRead(out _));
        Assert.True(subscription.Reader.Completion.IsCompleted);
    }

    private static DetectionEvent Message(string camera, Guid incident, string phase, int second) =>
        new(incident, camera, "anomaly", "appearance", 0.5, 0.1, 1, 8, T0, T0, "resnet18", "1", T0.AddSeconds(second)) { Phase = phase, HeadName = "embedding-knn" };
}
