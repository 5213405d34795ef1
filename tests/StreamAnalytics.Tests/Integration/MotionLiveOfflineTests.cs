using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using StreamAnalytics.Hosting;
using StreamAnalytics.Tests.Hosting;

namespace StreamAnalytics.Tests.Integration;

/// <summary>The live pipeline scores the same frames exactly as the offline <c>score anomaly</c> command does.</summary>
[Collection(IntegrationCollection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class MotionLiveOfflineTests(OfflineAnomalyFixture offline) : IClassFixture<OfflineAnomalyFixture>
{
    [Fact]
    public async Task Live_motion_scores_equal_the_offline_command_and_anomalous_frames_raise_motion_events()
    {
        Assert.Equal(0, offline.LearnExitCode);
        Assert.Equal(0, offline.ScoreExitCode);
        var expected = File.ReadAllLines(offline.CsvPath).Skip(1)
            .Select(line => line.Split(','))
            .ToDictionary(f => long.Parse(f[0], CultureInfo.InvariantCulture), f => double.Parse(f[1], CultureInfo.InvariantCulture));
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var port = FreeTcpPort.Next();
        var settings = PipelineSettings.Base(port, embeddedBroker: true);
        settings["StreamAnalytics:Cameras:0:Id"] = "walkway";
        settings["StreamAnalytics:Cameras:0:Url"] = OfflineAnomalyFixture.Test01;
        settings["StreamAnalytics:Cameras:0:Loop"] = "false";
        settings["StreamAnalytics:Cameras:0:QueueCapacity"] = "256";
        settings["StreamAnalytics:Cameras:0:MotionState"] = offline.StatePath;
        settings["StreamAnalytics:Detection:Anomaly:Enabled"] = "false";
        var live = new ConcurrentDictionary<long, double>();

        await using var pipeline = await PipelineUnderTest.StartAsync(settings, cts.Token, host =>
            host.Services.GetRequiredService<PipelineService>().FrameScored += (camera, head, score) => live[score.Sequence] = score.Score);
        await using var subscriber = await EventSubscriber.ConnectAsync("127.0.0.1", port, "satest/+/events", cts.Token);
        await pipeline.WaitForStopAsync(cts.Token);

        Assert.Equal(expected.Count, live.Count);
        Assert.All(expected, row => Assert.Equal(row.Value, live[row.Key], 5));
        var events = subscriber.Messages.Select(m => EventSubscriber.Parse(m.Payload)).ToList();
        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.Equal("motion", e.GetProperty("label").GetString()));
        // test01's anomaly (a cyclist) starts at frame 61: the first motion event must not come long before it.
        Assert.True(events.Min(e => e.GetProperty("window").GetProperty("lastFrame").GetInt64()) >= 50, "motion events on the normal first 60 frames");
    }
}
