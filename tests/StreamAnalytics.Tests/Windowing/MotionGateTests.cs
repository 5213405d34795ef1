using Microsoft.Extensions.Time.Testing;
using Prometheus;
using StreamAnalytics.Configuration;
using StreamAnalytics.Ingest;
using StreamAnalytics.Observability;
using StreamAnalytics.Tests.Fakes;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Windowing;

public sealed class MotionGateTests
{
    private const int Width = 128;
    private const int Height = 96;

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 6, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>A grey scene with some texture, and optionally a bright 16x16 block (a person) at <paramref name="blockX"/>.</summary>
    private static byte[] Scene(int? blockX = null, int noise = 0, int seed = 0)
    {
        var random = new Random(seed);
        var bgr = new byte[Width * Height * 3];
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                var value = 60 + ((x * 7 + y * 3) % 90);
                if (blockX is { } bx && x >= bx && x < bx + 16 && y >= 40 && y < 56)
                {
                    value = 240;
                }

                var i = ((y * Width) + x) * 3;
                for (var c = 0; c < 3; c++)
                {
                    bgr[i + c] = (byte)Math.Clamp(value + (noise == 0 ? 0 : random.Next(-noise, noise + 1)), 0, 255);
                }
            }
        }

        return bgr;
    }

    private MotionGate Gate(double threshold = 0.005, double maxSkipSeconds = 4) =>
        new(new MotionGateOptions { Enabled = true, Threshold = threshold, PixelDelta = 24, MaxSkipSeconds = maxSkipSeconds }, _time);

    /// <summary>Observes the frames of one window, then decides it.</summary>
    private bool Skips(MotionGate gate, params byte[][] frames)
    {
        foreach (var frame in frames)
        {
            gate.Observe(frame, Width, Height);
            _time.Advance(TimeSpan.FromMilliseconds(100));
        }

        return gate.Skips();
    }

    [Fact]
    public void The_change_measure_counts_samples_that_moved_more_than_the_pixel_delta()
    {
        var still = new FrameThumbnail();
        var moved = new FrameThumbnail();
        still.Sample(Scene(), Width, Height);

        // 128 across: one sample every 2 pixels, 64 x 48.
        Assert.Equal((64, 48), (still.Columns, still.Rows));
        moved.Sample(Scene(), Width, Height);
        Assert.Equal(0, moved.ChangedFraction(still, 24));

        // Noise of up to ±10 grey levels per pixel is not change.
        moved.Sample(Scene(noise: 10, seed: 1), Width, Height);
        Assert.Equal(0, moved.ChangedFraction(still, 24));

        // A 16x16 block is 8x8 of the 64x48 samples.
        moved.Sample(Scene(blockX: 20), Width, Height);
        Assert.Equal(64.0 / (64 * 48), moved.ChangedFraction(still, 24), 6);

        // Thumbnails of different frame sizes cannot be compared: all change.
        var other = new FrameThumbnail();
        other.Sample(new byte[64 * 48 * 3], 64, 48);
        Assert.Equal(1, other.ChangedFraction(still, 24));
    }

    [Fact]
    public void Sampling_a_frame_allocates_nothing_once_the_size_is_known()
    {
        var thumbnail = new FrameThumbnail();
        var reference = new FrameThumbnail();
        var frame = Scene();
        thumbnail.Sample(frame, Width, Height);
        reference.CopyFrom(thumbnail);

        // Every call measured below has run once: a first call may load types or compile, which is not per-frame cost.
        _ = thumbnail.ChangedFraction(reference, 24);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            thumbnail.Sample(frame, Width, Height);
            _ = thumbnail.ChangedFraction(reference, 24);
            reference.CopyFrom(thumbnail);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void A_still_scene_is_gated_after_the_first_window_and_noise_does_not_open_it()
    {
        var gate = Gate();

        Assert.False(Skips(gate, Scene(), Scene()));
        Assert.True(Skips(gate, Scene(noise: 8, seed: 2), Scene(noise: 8, seed: 3)));
        Assert.True(Skips(gate, Scene(), Scene(noise: 8, seed: 4)));
        Assert.Equal(0, gate.LastChange, 3);
    }

    [Fact]
    public void A_window_with_change_in_any_new_frame_passes_and_becomes_the_reference()
    {
        var gate = Gate();
        Assert.False(Skips(gate, Scene(), Scene()));

        // A person appears in the window's first new frame only: the window passes.
        Assert.False(Skips(gate, Scene(blockX: 20), Scene()));

        // The window that passed ended on the empty scene, which is the reference again.
        Assert.True(Skips(gate, Scene(), Scene()));

        // A person who stays: the first window with them passes, the next ones compare with them and are gated.
        Assert.False(Skips(gate, Scene(blockX: 50), Scene(blockX: 50)));
        Assert.True(Skips(gate, Scene(blockX: 50), Scene(blockX: 50)));

        // Walking on 12 px is change again.
        Assert.False(Skips(gate, Scene(blockX: 62)));
    }

    [Fact]
    public void A_still_scene_still_reaches_the_backbone_every_MaxSkipSeconds()
    {
        var gate = Gate(maxSkipSeconds: 2);
        gate.Observe(Scene(), Width, Height);
        Assert.False(gate.Skips());

        var passed = new List<double>();
        var start = _time.GetUtcNow();
        for (var i = 0; i < 50; i++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(300));
            gate.Observe(Scene(), Width, Height);
            if (!gate.Skips())
            {
                passed.Add((_time.GetUtcNow() - start).TotalSeconds);
            }
        }

        // 15 s of a still scene: one window every 2.1 s (the first at or after 2 s since the last one).
        Assert.Equal([2.1, 4.2, 6.3, 8.4, 10.5, 12.6, 14.7], passed.Select(s => Math.Round(s, 1)).ToArray());
    }

    [Fact]
    public void Each_camera_has_its_own_threshold()
    {
        // The same small change (one block of 64 of 3,072 samples, 2.1%) under two thresholds.
        var strict = Gate(threshold: 0.01);
        var lenient = Gate(threshold: 0.05);
        Assert.False(Skips(strict, Scene()));
        Assert.False(Skips(lenient, Scene()));

        Assert.False(Skips(strict, Scene(blockX: 20)));
        Assert.True(Skips(lenient, Scene(blockX: 20)));
    }

    [Fact]
    public void Windowing_marks_gated_windows_counts_them_and_starts_afresh_after_a_reconnect()
    {
        var metrics = new PipelineMetrics(Metrics.NewCustomRegistry());
        var format = new FrameTensorFormat(32, 24, ColorOrder.Bgr, 1f / 255, [0, 0, 0], [1, 1, 1]);
        var gate = Gate();
        var pool = new FramePool("cam", Width, Height);
        using var windowing = new CameraWindowing("cam", new WindowSchedule(2, 0, 2), format, metrics.ForCamera("cam"), gate: gate);
        var gated = new List<bool>();
        var still = Scene();
        for (long sequence = 0; sequence < 12; sequence++)
        {
            var frame = pool.Rent();
            frame.Sequence = sequence;
            frame.CaptureTime = TestFrames.CaptureTimeOf(sequence);
            frame.FirstOfSession = sequence == 8;
            still.CopyTo(frame.Pixels);
            _time.Advance(TimeSpan.FromMilliseconds(40));
            if (windowing.Process(frame) is { } window)
            {
                gated.Add(window.Gated);
                window.Release();
            }
        }

        // Windows end on frames 1, 3, 5, 7, 9, 11; the camera reconnected at frame 8.
        Assert.Equal([false, true, true, true, false, true], gated.ToArray());
        Assert.Equal(4, metrics.WindowsGated.WithLabels("cam").Value);
        Assert.Equal(6, metrics.WindowsBuilt.WithLabels("cam").Value);
        Assert.Equal("streamanalytics_windowing_windows_gated_total", metrics.WindowsGated.Name);
    }
}
