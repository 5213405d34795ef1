using BenchmarkDotNet.Attributes;
using StreamAnalytics.Ingest;
using StreamAnalytics.Snapshots;

namespace StreamAnalytics.Benchmarks;

/// <summary>
/// The copy a window keeps of its last (masked) frame when its camera has snapshots on: once per window, not per
/// frame. <c>MaxWidth</c> 640 scales a 720p frame down (OpenCV area resize); unset copies it as it is. Target: 0 B.
/// </summary>
[MemoryDiagnoser]
public class SnapshotCaptureBenchmarks
{
    private FramePool _pool = null!;
    private Frame _frame = null!;
    private SnapshotCapture _capture = null!;

    [Params("1280x720", "640x360")]
    public string Frame { get; set; } = "1280x720";

    [Params(640, 0)]
    public int MaxWidth { get; set; } = 640;

    [GlobalSetup]
    public void Setup()
    {
        (_pool, _frame) = BenchmarkFormats.FilledFrame(Frame);
        _capture = new SnapshotCapture(MaxWidth == 0 ? null : MaxWidth);
        CaptureAndRelease();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _frame.Dispose();
        _pool.Dispose();
    }

    [Benchmark]
    public void CaptureAndRelease() => _capture.Capture(_frame).Release();
}
