using BenchmarkDotNet.Attributes;
using StreamAnalytics.Configuration;
using StreamAnalytics.Ingest;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Benchmarks;

/// <summary>
/// What the motion gate adds to <see cref="CameraWindowing.Process"/> for one sampled frame of a window: sample the
/// grey thumbnail (about 64 across) from the BGR frame and compare it with the reference; and per window, the decision
/// (which copies the thumbnail when the window passes). Target: 0 B.
/// </summary>
[MemoryDiagnoser]
public class MotionGateBenchmarks
{
    private FramePool _pool = null!;
    private Frame _frame = null!;
    private MotionGate _gate = null!;

    [Params("1280x720", "640x360")]
    public string Frame { get; set; } = "1280x720";

    [GlobalSetup]
    public void Setup()
    {
        (_pool, _frame) = BenchmarkFormats.FilledFrame(Frame);
        _gate = new MotionGate(new MotionGateOptions { Enabled = true }, TimeProvider.System);
        ObserveAndDecide();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _frame.Dispose();
        _pool.Dispose();
    }

    /// <summary>One sampled frame, measured against the reference.</summary>
    [Benchmark]
    public void Observe() => _gate.Observe(_frame.Buffer, _frame.Width, _frame.Height);

    /// <summary>One sampled frame and the window's decision (a window of one frame: the most a frame can cost).</summary>
    [Benchmark]
    public bool ObserveAndDecide()
    {
        _gate.Observe(_frame.Buffer, _frame.Width, _frame.Height);
        return _gate.Skips();
    }
}
