using StreamAnalytics.Publishing;

namespace StreamAnalytics.Tests.Publishing;

public sealed class TopicNamesTests
{
    [Fact]
    public void Topics_hang_off_the_prefix()
    {
        var topics = new TopicNames("site-7/analytics");

        Assert.Equal("site-7/analytics", topics.Prefix);
        Assert.Equal("site-7/analytics/status", topics.Status);
        Assert.Equal("site-7/analytics/front-door/events", topics.Events("front-door"));
    }

    [Fact]
    public void Each_camera_gets_its_own_events_topic()
    {
        var topics = new TopicNames("streamanalytics");

        Assert.NotEqual(topics.Events("a"), topics.Events("b"));
        Assert.Equal("streamanalytics/a/events", topics.Events("a"));
    }
}
