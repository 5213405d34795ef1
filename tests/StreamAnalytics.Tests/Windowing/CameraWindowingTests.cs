using System.Threading.Channels;
using Prometheus;
using StreamAnalytics.Ingest;
using StreamAnalytics.Observability;
using StreamAnalytics.Tests.Fakes;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Windowing;

public sealed class CameraWindowingTests
{
    private const int Width = 8;
    private const int Height = 6;

    // Identity normalisation: a tensor value is the pixel byte, so each slot shows which frame it came from.
    private static readonly FrameTensorFormat Format = new(Width, Height, ColorOrder.Bgr, 1f, [0, 0, 0], [1, 1, 1]);

    [Fact]
    public void Windows_hold_the_scheduled_frames_in_capture_order()
    {
        var pool = new FramePool("cam", Width, Height);
        using var windowing = new CameraWindowing("cam", new WindowSchedule(4, 1, 2), Format, metrics: null);
        var windows = new List<Window>();

        for (long arrival = 0; arrival < 20; arrival++)
        {
            if (windowing.Process(TestFrames.Rent(pool, 100 + arrival)) is { } window)
            {
                windows.Add(window);
            }
        }

        // Every 2nd frame is sampled (100, 102, ...); windows of 4 sampled frames start every 2 sampled frames.
        long[][] expected =
        [
            [100, 102, 104, 106],
            [104, 106, 108, 110],
            [108, 110, 112, 114],
            [112, 114, 116, 118],
        ];
        Assert.Equal(expected.Length, windows.Count);
        for (var w = 0; w < windows.Count; w++)
        {
            var window = windows[w];
            Assert.Equal("cam", window.CameraId);
            Assert.Equal(w, window.Index);
            Assert.Equal(expected[w], window.Frames.Select(f => f.Sequence).ToArray());
            Assert.Equal(expected[w][0], window.FirstSequence);
            Assert.Equal(expected[w][^1], window.LastSequence);
            Assert.Equal(TestFrames.CaptureTimeOf(expected[w][0]), window.FirstCaptureTime);
            Assert.Equal(TestFrames.CaptureTimeOf(expected[w][^1]), window.LastCaptureTime);
            foreach (var slot in window.Frames)
            {
                Assert.Equal(TestFrames.CaptureTimeOf(slot.Sequence), slot.CaptureTime);
                Assert.All(slot.Tensor, v => Assert.Equal(TestFrames.MarkerOf(slot.Sequence), v));
            }
        }

        foreach (var window in windows)
        {
            window.Release();
        }
    }

    [Fact]
    public void Frames_in_the_gaps_of_a_hop_larger_than_the_length_are_skipped()
    {
        var pool = new FramePool("cam", Width, Height);
        using var windowing = new CameraWindowing("cam", new WindowSchedule(2, 0, 5), Format, metrics: null);
        var windows = new List<long[]>();

        for (long sequence = 0; sequence < 12; sequence++)
        {
            if (windowing.Process(TestFrames.Rent(pool, sequence)) is { } window)
            {
                windows.Add([.. window.Frames.Select(f => f.Sequence)]);
                window.Release();
            }
        }

        Assert.Equal([[0L, 1L], [5L, 6L], [10L, 11L]], windows);

        // Gap frames are never converted, so no more than a window and one new frame are ever in flight.
        Assert.InRange(windowing.Slots.Created, 1, 3);
        Assert.Equal(1, pool.Created);
    }

    [Fact]
    public void Overlapping_windows_share_slots_and_count_their_references()
    {
        var pool = new FramePool("cam", Width, Height);
        var windowing = new CameraWindowing("cam", new WindowSchedule(4, 0, 2), Format, metrics: null);
        var windows = new List<Window>();
        for (long sequence = 0; sequence < 6; sequence++)
        {
            if (windowing.Process(TestFrames.Rent(pool, sequence)) is { } window)
            {
                windows.Add(window);
            }
        }

        Assert.Equal(2, windows.Count);
        var (first, second) = (windows[0], windows[1]);
        Assert.Same(first.Frames[2], second.Frames[0]);
        Assert.Same(first.Frames[3], second.Frames[1]);
        var slots = first.Frames.Concat(second.Frames).Distinct().ToArray();
        Assert.Equal(6, slots.Length);
        Assert.Equal(6, windowing.Slots.Created);

        // Frames 0-1: the first window only (the ring moved on). Frames 2-3: both windows and the ring.
        // Frames 4-5: the second window and the ring.
        Assert.Equal([1, 1, 3, 3, 2, 2], slots.Select(s => s.References).ToArray());

        first.Release();
        Assert.Equal([0, 0, 2, 2, 2, 2], slots.Select(s => s.References).ToArray());

        second.Release();
        Assert.Equal([0, 0, 1, 1, 1, 1], slots.Select(s => s.References).ToArray());

        windowing.Dispose();
        Assert.All(slots, s => Assert.Equal(0, s.References));

        // Every slot is back in the pool: renting as many as were created allocates nothing new
        // and hands out exactly the same instances.
        var rentedAgain = Enumerable.Range(0, slots.Length).Select(_ => windowing.Slots.Rent()).ToArray();
        Assert.Equal(6, windowing.Slots.Created);
        Assert.Equal(
            slots.OrderBy(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode),
            rentedAgain.OrderBy(System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode));
    }

    [Fact]
    public void Steady_state_reuses_slots_and_frames()
    {
        var pool = new FramePool("cam", Width, Height);
        var windowing = new CameraWindowing("cam", new WindowSchedule(4, 2, 2), Format, metrics: null);
        var seen = new HashSet<FrameSlot>(ReferenceEqualityComparer.Instance);
        var windowCount = 0;
        var createdAfterWarmUp = 0;

        for (long sequence = 0; sequence < 600; sequence++)
        {
            if (sequence == 100)
            {
                createdAfterWarmUp = windowing.Slots.Created;
            }

            if (windowing.Process(TestFrames.Rent(pool, sequence)) is { } window)
            {
                windowCount++;
                seen.UnionWith(window.Frames);
                window.Release();
            }
        }

        Assert.True(windowCount > 90, $"only {windowCount} windows");
        Assert.True(createdAfterWarmUp > 0);
        Assert.Equal(createdAfterWarmUp, windowing.Slots.Created);
        Assert.Equal(windowing.Slots.Created, seen.Count);

        // Each frame is disposed by Process (sampled or not), so one frame buffer served all 600.
        Assert.Equal(1, pool.Created);

        windowing.Dispose();
        Assert.All(seen, s => Assert.Equal(0, s.References));
    }

    [Fact]
    public void Frames_are_returned_to_their_pool_even_when_not_sampled()
    {
        var pool = new FramePool("cam", Width, Height);
        using var windowing = new CameraWindowing("cam", new WindowSchedule(2, 3, 1), Format, metrics: null);
        var frame = TestFrames.Rent(pool, 1);

        Assert.Null(windowing.Process(frame));
        Assert.Null(windowing.Process(TestFrames.Rent(pool, 2)));

        Assert.Same(frame, pool.Rent());
        Assert.Equal(1, pool.Created);
    }

    [Fact]
    public async Task RunAsync_writes_windows_and_releases_those_it_cannot_deliver()
    {
        var pool = new FramePool("cam", Width, Height);
        using var windowing = new CameraWindowing("cam", new WindowSchedule(2, 0, 2), Format, metrics: null);
        var frames = Channel.CreateUnbounded<Frame>();
        var windows = Channel.CreateUnbounded<Window>();
        windows.Writer.Complete();
        for (long sequence = 0; sequence < 6; sequence++)
        {
            Assert.True(frames.Writer.TryWrite(TestFrames.Rent(pool, sequence)));
        }

        frames.Writer.Complete();

        await windowing.RunAsync(frames.Reader, windows.Writer, CancellationToken.None);

        // With the window channel closed, every window was released: only the ring keeps its 2 slots,
        // and the slots of the earlier windows came back for reuse.
        Assert.Equal(3, windowing.Slots.Created);
    }

    [Fact]
    public async Task RunAsync_writes_windows_and_counts_them()
    {
        var metrics = new PipelineMetrics(Metrics.NewCustomRegistry());
        var cameraMetrics = metrics.ForCamera("cam");
        var pool = new FramePool("cam", Width, Height);
        using var windowing = new CameraWindowing("cam", new WindowSchedule(3, 0, 3), Format, cameraMetrics);
        var frames = Channel.CreateUnbounded<Frame>();
        var windows = Channel.CreateUnbounded<Window>();
        for (long sequence = 0; sequence < 9; sequence++)
        {
            Assert.True(frames.Writer.TryWrite(TestFrames.Rent(pool, sequence)));
        }

        frames.Writer.Complete();

        await windowing.RunAsync(frames.Reader, windows.Writer, CancellationToken.None);

        var built = new List<long[]>();
        while (windows.Reader.TryRead(out var window))
        {
            built.Add([.. window.Frames.Select(f => f.Sequence)]);
            window.Release();
        }

        Assert.Equal([[0L, 1L, 2L], [3L, 4L, 5L], [6L, 7L, 8L]], built);
        Assert.Equal(3, cameraMetrics.WindowsBuilt.Value);

        // All nine frames were disposed: renting nine again allocates none.
        Assert.Equal(9, pool.Created);
        var again = Enumerable.Range(0, 9).Select(_ => pool.Rent()).ToList();
        Assert.Equal(9, pool.Created);
        again.ForEach(f => f.Dispose());
    }
}
