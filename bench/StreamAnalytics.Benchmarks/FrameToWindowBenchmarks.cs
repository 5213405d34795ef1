using BenchmarkDotNet.Attributes;
using StreamAnalytics.Ingest;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Benchmarks;

/// <summary>
/// The per-frame hot path in steady state: a decoded frame from its pool → <see cref="CameraWindowing.Process"/>
/// (sampling, resize into the ResNet-18 format, normalisation, ring of shared slots) → when a window completes,
/// <see cref="Window.Release"/> (what inference does once it is done with it). Results are per decoded frame:
/// with Subsample 2 only every third frame is converted. With a frame head, every decoded frame is also scored
/// and each window carries the head's verdict (the motion head's path, without its optical flow). Target: 0 B
/// allocated per frame.
/// </summary>
[MemoryDiagnoser]
public class FrameToWindowBenchmarks
{
    public const int FramesPerInvoke = 64;

    private FramePool _pool = null!;
    private CameraWindowing _windowing = null!;
    private long _sequence;

    public static IEnumerable<ScheduleCase> Schedules => [new(8, 2, 4), new(16, 0, 8)];

    [ParamsSource(nameof(Schedules))]
    public ScheduleCase Schedule { get; set; } = new(8, 2, 4);

    [Params("1280x720", "640x360")]
    public string Frame { get; set; } = "1280x720";

    /// <summary>0: no frame head; 1: one frame head that reads every 64th byte of each frame.</summary>
    [Params(0, 1)]
    public int FrameHeads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var (width, height) = BenchmarkFormats.ParseSize(Frame);
        _pool = new FramePool("bench", width, height);
        BenchmarkFormats.FillOnce(_pool);
        _windowing = new CameraWindowing(
            "bench",
            new WindowSchedule(Schedule.Length, Schedule.Subsample, Schedule.Hop),
            BenchmarkFormats.ResNet18(),
            BenchmarkFormats.Metrics("bench"),
            heads: [.. Enumerable.Range(0, FrameHeads).Select(_ => new SampledBrightnessHead())]);

        // Grow every pool (frames, slots, windows) and create the OpenCV wrappers before measuring.
        for (var i = 0; i < 4; i++)
        {
            ProcessFrames();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _windowing.Dispose();
        _pool.Dispose();
    }

    /// <summary>Returns the number of windows completed (so the work cannot be optimised away).</summary>
    [Benchmark(OperationsPerInvoke = FramesPerInvoke)]
    public int ProcessFrames()
    {
        var windows = 0;
        for (var i = 0; i < FramesPerInvoke; i++)
        {
            var frame = _pool.Rent();
            frame.Sequence = ++_sequence;
            frame.CaptureTime = DateTimeOffset.UtcNow;
            var window = _windowing.Process(frame);
            if (window is not null)
            {
                windows++;
                window.Release();
            }
        }

        return windows;
    }

    public sealed record ScheduleCase(int Length, int Subsample, int Hop)
    {
        public override string ToString() => $"T{Length}-sub{Subsample}-hop{Hop}";
    }
}
