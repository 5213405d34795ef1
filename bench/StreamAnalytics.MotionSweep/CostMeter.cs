using System.Diagnostics;
using OpenCvSharp;
using StreamAnalytics.Heads.Motion;
using StreamAnalytics.Ingest;

namespace StreamAnalytics.MotionSweep;

/// <summary>
/// Times <see cref="MotionFeatureExtractor.Process"/> on 1280x720 BGR frames (the 720p camera): footage is
/// upscaled into one pooled 720p frame outside the timed span, then each call is timed on its own. The caller sets
/// OpenCV to one thread. Reported: the lowest of the passes' mean milliseconds per frame, in wall time and in the
/// thread's CPU time (the two agree on an idle machine; under other load the wall time grows, the CPU time much less).
/// </summary>
internal static class CostMeter
{
    public const int Width = 1280;
    public const int Height = 720;

    public static (double Wall, double Cpu) Measure(MotionFeatureOptions options, IReadOnlyList<DecodedVideo> footage, int frames, int passes)
    {
        using var extractor = new MotionFeatureExtractor(options);
        var features = new float[extractor.FeatureLength];
        using var bigPool = new FramePool("cost", Width, Height);
        using var big = bigPool.Rent();
        var bestWall = double.PositiveInfinity;
        var bestCpu = double.PositiveInfinity;
        for (var pass = 0; pass < passes; pass++)
        {
            long wallTicks = 0, cpuNanoseconds = 0;
            var timed = 0;
            foreach (var video in footage)
            {
                extractor.Reset();
                var stop = false;
                Footage.Replay(video, frame =>
                {
                    if (stop)
                    {
                        return;
                    }

                    Cv2.Resize(frame.Mat, big.Mat, new Size(Width, Height), 0, 0, InterpolationFlags.Linear);
                    var hadPrevious = extractor.HasPrevious;
                    var cpuStarted = ThreadClock.Nanoseconds();
                    var started = Stopwatch.GetTimestamp();
                    extractor.Process(big, features);
                    var ended = Stopwatch.GetTimestamp();
                    var cpuEnded = ThreadClock.Nanoseconds();
                    if (hadPrevious)
                    {
                        // Only frames with a predecessor: the first of a video computes no flow.
                        wallTicks += ended - started;
                        cpuNanoseconds += cpuEnded - cpuStarted;
                        timed++;
                        stop = timed >= frames;
                    }
                });
                if (stop)
                {
                    break;
                }
            }

            bestWall = Math.Min(bestWall, wallTicks * 1000.0 / Stopwatch.Frequency / timed);
            bestCpu = Math.Min(bestCpu, cpuNanoseconds / 1e6 / timed);
        }

        return (bestWall, bestCpu);
    }
}
