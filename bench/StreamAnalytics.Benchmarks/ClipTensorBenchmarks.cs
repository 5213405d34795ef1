using BenchmarkDotNet.Attributes;
using StreamAnalytics.Inference;
using StreamAnalytics.Ingest;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Benchmarks;

/// <summary>
/// A clip model's input: one window of T=16 frame tensors (112x112, planar [C,H,W] each) laid out as one
/// [C,T,H,W] batch item by <see cref="ClipTensor.Fill"/>. Target: 0 B.
/// </summary>
[MemoryDiagnoser]
public class ClipTensorBenchmarks
{
    private const int T = 16;

    private FramePool _pool = null!;
    private CameraWindowing _windowing = null!;
    private Window _window = null!;
    private ModelInputSpec _input = null!;
    private float[] _item = null!;

    [GlobalSetup]
    public void Setup()
    {
        var format = BenchmarkFormats.Clip112();
        _input = new ModelInputSpec("input", TensorLayout.Ncthw, T, format);
        _pool = new FramePool("bench", format.Width, format.Height);
        BenchmarkFormats.FillOnce(_pool);
        _windowing = new CameraWindowing("bench", new WindowSchedule(T, 0, T), format, metrics: null);
        for (var i = 0; i < T; i++)
        {
            var frame = _pool.Rent();
            frame.Sequence = i + 1;
            _window = _windowing.Process(frame) ?? _window;
        }

        if (_window is null)
        {
            throw new InvalidOperationException("No window after T frames.");
        }

        _item = GC.AllocateUninitializedArray<float>(FrameTensorFormat.Channels * T * format.PlaneSize, pinned: true);
        ClipTensor.Fill(_window, _input, _item);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _window.Release();
        _windowing.Dispose();
        _pool.Dispose();
    }

    [Benchmark]
    public void Fill() => ClipTensor.Fill(_window, _input, _item);
}
