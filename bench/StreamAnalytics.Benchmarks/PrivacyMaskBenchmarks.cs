using BenchmarkDotNet.Attributes;
using StreamAnalytics.Configuration;
using StreamAnalytics.Ingest;
using StreamAnalytics.Privacy;

namespace StreamAnalytics.Benchmarks;

/// <summary>
/// Blanking a camera's masks and zones in a decoded frame, what <see cref="Windowing.CameraWindowing.Process"/>
/// does first for every frame of a camera with masks (target: 0 B per frame); and, for scale, rasterising the
/// polygons, which happens once per frame size (start, or a reconnect with another size) and may allocate.
/// </summary>
[MemoryDiagnoser]
public class PrivacyMaskBenchmarks
{
    private FramePool _pool = null!;
    private Frame _frame = null!;
    private PrivacyMask _mask = null!;

    [Params("1280x720", "640x360")]
    public string Frame { get; set; } = "1280x720";

    /// <summary><c>masks</c>: two masks (a house front and a window); <c>zone+mask</c>: a walkway zone with one mask inside it.</summary>
    [Params("masks", "zone+mask")]
    public string Polygons { get; set; } = "masks";

    [GlobalSetup]
    public void Setup()
    {
        (_pool, _frame) = BenchmarkFormats.FilledFrame(Frame);
        PolygonOptions house = new() { Points = [[0, 0], [0.35, 0], [0.35, 0.45], [0.2, 0.55], [0, 0.5]] };
        PolygonOptions window = new() { Points = [[0.7, 0.1], [0.85, 0.12], [0.84, 0.3], [0.69, 0.28]] };
        PolygonOptions walkway = new() { Points = [[0.05, 0.95], [0.4, 0.35], [0.6, 0.35], [0.95, 0.95]] };
        _mask = Polygons == "masks" ? new PrivacyMask([house, window], []) : new PrivacyMask([window], [walkway]);
        _mask.Apply(_frame.Pixels, _frame.Width, _frame.Height);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _frame.Dispose();
        _pool.Dispose();
    }

    [Benchmark]
    public void Apply() => _mask.Apply(_frame.Pixels, _frame.Width, _frame.Height);

    [Benchmark]
    public byte[] Rasterise() => _mask.KeepMap(_frame.Width, _frame.Height);
}
