using Prometheus;
using StreamAnalytics.Hosting;
using StreamAnalytics.Ingest;
using StreamAnalytics.Observability;
using StreamAnalytics.Tests.Fakes;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Hosting;

public sealed class PipelineChannelsTests
{
    private readonly CollectorRegistry _registry = Metrics.NewCustomRegistry();
    private readonly PipelineMetrics _metrics;

    public PipelineChannelsTests() => _metrics = new PipelineMetrics(_registry);

    [Fact]
    public async Task A_full_frame_queue_drops_the_oldest_frames_counts_them_and_returns_them_to_the_pool()
    {
        var pool = new FramePool("cam", 4, 4);
        var channel = PipelineChannels.ForFrames(2, _metrics.ForCamera("cam"));
        var written = Enumerable.Range(0, 5).Select(i => TestFrames.Rent(pool, i)).ToList();
        Assert.Equal(5, pool.Created);

        foreach (var frame in written)
        {
            Assert.True(channel.Writer.TryWrite(frame));
        }

        Assert.Equal(3, _metrics.FramesDropped.WithLabels("cam", DropReasons.QueueFull).Value);
        Assert.Contains("streamanalytics_ingest_frames_dropped_total{camera=\"cam\",reason=\"queue_full\"} 3", await ExportAsync(), StringComparison.Ordinal);

        // The three oldest went back to the pool: renting three again allocates nothing and returns them.
        var again = new[] { pool.Rent(), pool.Rent(), pool.Rent() };
        Assert.Equal(5, pool.Created);
        Assert.Equal(
            written.Take(3).OrderBy(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode),
            again.OrderBy(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode));

        // The newest two are still queued, in order.
        Assert.True(channel.Reader.TryRead(out var first));
        Assert.True(channel.Reader.TryRead(out var second));
        Assert.Equal([3L, 4L], new[] { first!.Sequence, second!.Sequence });
        Assert.False(channel.Reader.TryRead(out _));
        Assert.Equal(0, _metrics.FramesDropped.WithLabels("cam", DropReasons.Shutdown).Value);
    }

    [Fact]
    public void A_producer_that_outruns_its_consumer_needs_no_more_frames_than_the_queue_holds_plus_one()
    {
        var pool = new FramePool("cam", 4, 4);
        var channel = PipelineChannels.ForFrames(2, _metrics.ForCamera("cam"));

        for (long sequence = 0; sequence < 100; sequence++)
        {
            Assert.True(channel.Writer.TryWrite(TestFrames.Rent(pool, sequence)));
        }

        Assert.Equal(98, _metrics.FramesDropped.WithLabels("cam", DropReasons.QueueFull).Value);
        Assert.Equal(3, pool.Created);
    }

    [Fact]
    public void A_frame_queue_with_room_drops_nothing()
    {
        var pool = new FramePool("cam", 4, 4);
        var channel = PipelineChannels.ForFrames(8, _metrics.ForCamera("cam"));

        for (long sequence = 0; sequence < 8; sequence++)
        {
            Assert.True(channel.Writer.TryWrite(TestFrames.Rent(pool, sequence)));
        }

        Assert.Equal(0, _metrics.FramesDropped.WithLabels("cam", DropReasons.QueueFull).Value);
        Assert.Equal(8, channel.Reader.Count);
    }

    [Fact]
    public async Task A_full_window_queue_drops_the_oldest_windows_counts_them_and_releases_their_frames()
    {
        var format = new FrameTensorFormat(4, 4, ColorOrder.Rgb, 1f, [0, 0, 0], [1, 1, 1]);
        var slots = new FrameSlotPool(format);
        var windows = new WindowPool("cam", 1);
        var channel = PipelineChannels.ForWindows(2, _metrics);
        var written = Enumerable.Range(0, 5).Select(i =>
        {
            var window = windows.Rent();
            window.Index = i;
            window.Frames[0] = slots.Rent();
            return window;
        }).ToList();
        Assert.Equal(5, slots.Created);

        foreach (var window in written)
        {
            Assert.True(channel.Writer.TryWrite(window));
        }

        Assert.Equal(3, _metrics.WindowsDropped.WithLabels("cam", DropReasons.QueueFull).Value);
        Assert.Contains("streamanalytics_windowing_windows_dropped_total{camera=\"cam\",reason=\"queue_full\"} 3", await ExportAsync(), StringComparison.Ordinal);

        // Released: their slots are back in the pool and the windows themselves are reused.
        var slotsAgain = new[] { slots.Rent(), slots.Rent(), slots.Rent() };
        Assert.Equal(5, slots.Created);
        Assert.All(slotsAgain, s => Assert.Equal(1, s.References));
        Assert.Contains(windows.Rent(), written.Take(3));

        Assert.True(channel.Reader.TryRead(out var a));
        Assert.True(channel.Reader.TryRead(out var b));
        Assert.Equal([3L, 4L], new[] { a!.Index, b!.Index });
        Assert.All(a.Frames.Concat(b.Frames), s => Assert.Equal(1, s.References));
    }

    [Fact]
    public async Task Result_and_event_queues_wait_instead_of_dropping()
    {
        var results = PipelineChannels.ForResults(1);
        var events = PipelineChannels.ForEvents(1);

        Assert.True(events.Writer.TryWrite(null!));
        Assert.False(events.Writer.TryWrite(null!));
        Assert.True(results.Writer.TryWrite(null!));
        Assert.False(results.Writer.TryWrite(null!));

        var waiting = results.Writer.WriteAsync(null!).AsTask();
        Assert.False(waiting.IsCompleted);
        Assert.True(results.Reader.TryRead(out _));
        await waiting;
        Assert.Equal(1, results.Reader.Count);
    }

    private async Task<string> ExportAsync()
    {
        using var stream = new MemoryStream();
        await _registry.CollectAndExportAsTextAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }
}
