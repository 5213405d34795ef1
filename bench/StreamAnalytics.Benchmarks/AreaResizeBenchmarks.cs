using BenchmarkDotNet.Attributes;
using OpenCvSharp;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Benchmarks;

/// <summary>
/// The two general area shrinks every 720p camera pays under <c>DecodeSize: auto</c>: its 398x224 BGR frame into the
/// backbone's 224x224, and its 398x224 grey into the motion head's 180x120. OpenCV's <c>INTER_AREA</c> (one thread, as the
/// pipeline runs it) against <see cref="AreaResampler"/>, which gives the same bytes.
/// </summary>
[MemoryDiagnoser]
public class AreaResizeBenchmarks
{
    private Mat _source = null!;
    private Mat _opencv = null!;
    private byte[] _pixels = null!;
    private byte[] _ours = null!;
    private float[] _planes = null!;
    private int[] _planeOf = null!;
    private AreaResampler _resampler = null!;
    private Size _size;

    [Params("398x224x3 -> 224x224", "398x224x1 -> 180x120")]
    public string Case { get; set; } = "398x224x3 -> 224x224";

    [GlobalSetup]
    public void Setup()
    {
        Cv2.SetNumThreads(1);
        var channels = Case.Contains("x3 ", StringComparison.Ordinal) ? 3 : 1;
        var (width, height) = BenchmarkFormats.ParseSize(Case.Split(" -> ")[1]);
        _size = new Size(width, height);
        _pixels = new byte[398 * 224 * channels];
        var random = new Random(42);
        for (var i = 0; i < _pixels.Length; i++)
        {
            _pixels[i] = (byte)((i % 251) + random.Next(5));
        }

        _source = Mat.FromPixelData(224, 398, MatType.CV_8UC(channels), _pixels);
        _opencv = new Mat(height, width, MatType.CV_8UC(channels));
        _ours = new byte[width * height * channels];
        _planes = new float[width * height * channels];
        _planeOf = [.. Enumerable.Range(0, channels)];
        _resampler = new AreaResampler(398, 224, width, height, channels);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _source.Dispose();
        _opencv.Dispose();
    }

    [Benchmark(Baseline = true)]
    public void OpenCv() => Cv2.Resize(_source, _opencv, _size, 0, 0, InterpolationFlags.Area);

    [Benchmark]
    public void Resampler() => _resampler.Resize(_pixels, _source.Cols * _source.Channels(), _ours);

    /// <summary>What the preprocessor takes: the same values as floats, one plane per channel.</summary>
    [Benchmark]
    public void ResamplerToPlanes() => _resampler.ResizeToPlanes(_pixels, _source.Cols * _source.Channels(), _planes, _planeOf);
}
