using BenchmarkDotNet.Attributes;
using OpenCvSharp;
using StreamAnalytics.Heads.Motion;

namespace StreamAnalytics.Benchmarks;

/// <summary>
/// The motion head's optical flow per frame at its defaults (180x120, pyramid scale 0.5 over 2 levels, window 7,
/// 1 iteration, polyN 5, sigma 1.2): OpenCV's <c>calcOpticalFlowFarneback</c>, which expands both frames on every call,
/// against <see cref="FarnebackFlow"/>, which expands each frame once and gives the same floats. Two frames of noise
/// smoothed into blobs alternate, the second shifted 3 px right, so there is motion to solve. One OpenCV thread, as
/// issue 10 measures the head.
/// </summary>
[MemoryDiagnoser]
public class FarnebackFlowBenchmarks
{
    private const int Width = 180;
    private const int Height = 120;
    private readonly Mat[] _frames = new Mat[2];
    private Mat _flow = null!;
    private FarnebackFlow _ours = null!;
    private int _next;

    /// <summary>false: the scalar loops a CPU without AVX2 runs (the same floats).</summary>
    [Params(true, false)]
    public bool Vectorised { get; set; } = true;

    [GlobalSetup]
    public void Setup()
    {
        Cv2.SetNumThreads(1);
        var random = new Random(7);
        var bytes = new byte[Width * Height];
        random.NextBytes(bytes);
        using var noise = Mat.FromPixelData(Height, Width, MatType.CV_8UC1, bytes);
        _frames[0] = new Mat();
        Cv2.GaussianBlur(noise, _frames[0], new Size(7, 7), 2);
        _frames[1] = new Mat();
        using var shift = Mat.FromArray(new float[,] { { 1, 0, 3 }, { 0, 1, 0 } });
        Cv2.WarpAffine(_frames[0], _frames[1], shift, new Size(Width, Height), borderMode: BorderTypes.Reflect101);
        _flow = new Mat(Height, Width, MatType.CV_32FC2);
        _ours = new FarnebackFlow(Width, Height, 0.5, 2, 7, 1, 5, 1.2, Vectorised);
        _ours.Expand(_frames[0], 0);
        _ours.Expand(_frames[1], 1);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _ours.Dispose();
        _flow.Dispose();
        _frames[0].Dispose();
        _frames[1].Dispose();
    }

    /// <summary>What the motion head called per frame before: both frames expanded again.</summary>
    [Benchmark(Baseline = true)]
    public void OpenCvFlow()
    {
        _next = 1 - _next;
        Cv2.CalcOpticalFlowFarneback(_frames[1 - _next], _frames[_next], _flow, 0.5, 2, 7, 1, 5, 1.2, 0);
    }

    /// <summary>What it calls now per frame: the new frame expanded into its slot, then the flow from the other slot.</summary>
    [Benchmark]
    public void ExpandOnceThenFlow()
    {
        _next = 1 - _next;
        _ours.Expand(_frames[_next], _next);
        _ours.Compute(1 - _next, _next);
    }

    /// <summary>The expansion alone (blur, shrink, polynomial expansion at both levels).</summary>
    [Benchmark]
    public void ExpandOnly()
    {
        _next = 1 - _next;
        _ours.Expand(_frames[_next], _next);
    }

    /// <summary>The solve alone (matrices and box window at both levels, the flow resized between them).</summary>
    [Benchmark]
    public void ComputeOnly()
    {
        _next = 1 - _next;
        _ours.Compute(1 - _next, _next);
    }
}
