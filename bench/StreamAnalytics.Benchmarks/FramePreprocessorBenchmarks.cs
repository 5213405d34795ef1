using BenchmarkDotNet.Attributes;
using StreamAnalytics.Ingest;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Benchmarks;

/// <summary>
/// One sampled frame → the ResNet-18 tensor (area resize + planar normalisation): the cost that
/// <see cref="FrameToWindowBenchmarks"/> pays once per sampled frame. 224x224 takes the no-resize path; 398x224 (a 720p
/// camera under <c>DecodeSize: auto</c>), 640x360 and 1280x720 the <see cref="AreaResampler"/>, which gives OpenCV's area resize.
/// </summary>
[MemoryDiagnoser]
public class FramePreprocessorBenchmarks
{
    private FramePool _pool = null!;
    private Frame _frame = null!;
    private FramePreprocessor _preprocessor = null!;
    private float[] _tensor = null!;

    [Params("1280x720", "640x360", "398x224", "224x224")]
    public string Frame { get; set; } = "1280x720";

    [GlobalSetup]
    public void Setup()
    {
        (_pool, _frame) = BenchmarkFormats.FilledFrame(Frame);
        var format = BenchmarkFormats.ResNet18();
        _preprocessor = new FramePreprocessor(format);
        _tensor = GC.AllocateUninitializedArray<float>(format.ElementCount, pinned: true);
        _preprocessor.Process(_frame, _tensor);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _preprocessor.Dispose();
        _frame.Dispose();
        _pool.Dispose();
    }

    [Benchmark]
    public void ResizeAndNormalize() => _preprocessor.Process(_frame, _tensor);
}
