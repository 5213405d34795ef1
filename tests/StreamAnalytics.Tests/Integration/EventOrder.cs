namespace StreamAnalytics.Tests.Integration;

/// <summary>Checks on the events a subscriber received: unique ids, and each camera's frame ranges in order.</summary>
internal static class EventOrder
{
    /// <summary>First occurrence of every message (QoS 1 may deliver one twice), in arrival order; Id is the message id.</summary>
    public static List<(string Id, string Camera, long FirstFrame)> Distinct(EventSubscriber subscriber) =>
        [.. subscriber.Messages
            .Where(m => m.Topic.EndsWith("/events", StringComparison.Ordinal))
            .Select(m => EventSubscriber.Parse(m.Payload))
            .Select(e => (Id: e.GetProperty("messageId").GetString()!, Camera: e.GetProperty("cameraId").GetString()!, FirstFrame: e.GetProperty("window").GetProperty("firstFrame").GetInt64()))
            .DistinctBy(e => e.Id)];

    public static void AssertOrderedPerCamera(IEnumerable<(string Id, string Camera, long FirstFrame)> events)
    {
        foreach (var camera in events.GroupBy(e => e.Camera))
        {
            var frames = camera.Select(e => e.FirstFrame).ToList();
            Assert.True(frames.SequenceEqual(frames.Order()), $"camera {camera.Key} events out of order: {string.Join(",", frames)}");
        }
    }
}
