using StreamAnalytics.Contracts;
using StreamAnalytics.Ingest;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Heads.Plugin;

/// <summary>A frame head written outside src/: the mean of every 16th byte of the decoded, masked frame, 0 to 255.</summary>
internal sealed class BrightnessFrameHead(double threshold) : IFrameHead
{
    public const string HeadName = "test-brightness";

    public string Name => HeadName;

    public string Version => "0.1";

    public string Kind => HeadKind.Anomaly;

    public string Label => "bright";

    public double Threshold => threshold;

    public int Resets { get; private set; }

    public long Frames { get; private set; }

    public FrameHeadScore Process(Frame frame)
    {
        Frames++;
        var pixels = frame.Pixels;
        long sum = 0;
        var count = 0;
        for (var i = 0; i < pixels.Length; i += 16)
        {
            sum += pixels[i];
            count++;
        }

        var mean = (double)sum / count;
        return new FrameHeadScore(frame.Sequence, true, mean, mean, threshold);
    }

    public void Reset() => Resets++;

    public void Dispose()
    {
        // Holds nothing.
    }
}
