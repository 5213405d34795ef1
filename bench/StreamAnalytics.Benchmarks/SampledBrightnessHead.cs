using StreamAnalytics.Contracts;
using StreamAnalytics.Ingest;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Benchmarks;

/// <summary>
/// A frame head that costs next to nothing (every 64th byte of the frame), so the benchmark measures what
/// windowing adds per frame for a head: the call, the pending maximum, and the verdict on each window.
/// </summary>
internal sealed class SampledBrightnessHead : IFrameHead
{
    public string Name => "bench-brightness";

    public string Version => "1";

    public string Kind => HeadKind.Anomaly;

    public string Label => "bright";

    public double Threshold => 128;

    public FrameHeadScore Process(Frame frame)
    {
        var pixels = frame.Pixels;
        long sum = 0;
        for (var i = 0; i < pixels.Length; i += 64)
        {
            sum += pixels[i];
        }

        var mean = (double)sum / ((pixels.Length + 63) / 64);
        return new FrameHeadScore(frame.Sequence, true, mean, mean, Threshold);
    }

    public void Reset()
    {
        // Nothing carries from frame to frame.
    }

    public void Dispose()
    {
        // Holds nothing.
    }
}
