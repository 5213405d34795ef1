using OpenCvSharp;
using StreamAnalytics.Heads.Motion;
using StreamAnalytics.Tests.Fakes;

namespace StreamAnalytics.Tests.Heads.Motion;

public sealed class FarnebackFlowTests
{
    [Theory]
    [InlineData(180, 120, 0.5, 2, 7, 1, 5, 1.2, true)] // the motion head's defaults (two levels: OpenCV stops at 90x60)
    [InlineData(180, 120, 0.5, 2, 7, 1, 5, 1.2, false)] // the same without vectors (a CPU without AVX)
    [InlineData(360, 240, 0.5, 3, 15, 3, 7, 1.5, true)] // more levels, and iterations that refresh the matrices behind the window
    [InlineData(200, 150, 0.8, 4, 5, 2, 5, 1.1, true)] // a scale that is not a power of two: levels of odd sizes
    [InlineData(203, 151, 0.8, 4, 5, 2, 5, 1.1, false)]
    public void Matches_OpenCV_calcOpticalFlowFarneback_to_the_bit_with_each_frame_expanded_once(
        int width, int height, double pyramidScale, int levels, int window, int iterations, int polyN, double polySigma, bool vectorised)
    {
        var grays = RealFrames.Ped2.Select(pixels => Gray(pixels, width, height)).ToList();
        try
        {
            using var flow = new FarnebackFlow(width, height, pyramidScale, levels, window, iterations, polyN, polySigma, vectorised);
            using var expected = new Mat();
            var ours = new float[width * height * 2];
            var opencv = new float[ours.Length];

            // Consecutive frames as a camera gives them (each expanded once, into alternate slots), then pairs far apart
            // for flows of several pixels, where the bilinear look-up leaves the frame.
            var pairs = Enumerable.Range(1, 8).Select(i => (i - 1, i)).Concat([(0, 23), (23, 2)]).ToList();
            foreach (var (before, after) in pairs)
            {
                flow.Expand(grays[before], 0);
                flow.Expand(grays[after], 1);
                flow.Compute(0, 1);
                flow.Flow.CopyTo(ours);

                Cv2.CalcOpticalFlowFarneback(grays[before], grays[after], expected, pyramidScale, levels, window, iterations, polyN, polySigma, 0);
                System.Runtime.InteropServices.Marshal.Copy(expected.Data, opencv, 0, opencv.Length);
                Assert.True(opencv.AsSpan().SequenceEqual(ours), $"frames {before} -> {after}: {Differing(opencv, ours)} of {ours.Length} values differ");
            }

            // The flow moved for real: a test of zeros against zeros would prove nothing.
            Assert.Contains(opencv, v => MathF.Abs(v) > 1f);
        }
        finally
        {
            grays.ForEach(g => g.Dispose());
        }
    }

    [Fact]
    public void Slots_keep_their_frames_so_the_next_flow_reuses_the_newer_expansion()
    {
        var grays = RealFrames.Ped2.Take(3).Select(pixels => Gray(pixels, 180, 120)).ToList();
        try
        {
            using var flow = new FarnebackFlow(180, 120, 0.5, 2, 7, 1, 5, 1.2);
            using var expected = new Mat();
            flow.Expand(grays[0], 0);
            flow.Expand(grays[1], 1);
            flow.Compute(0, 1);
            flow.Expand(grays[2], 0);
            flow.Compute(1, 0);

            Cv2.CalcOpticalFlowFarneback(grays[1], grays[2], expected, 0.5, 2, 7, 1, 5, 1.2, 0);
            var opencv = new float[180 * 120 * 2];
            System.Runtime.InteropServices.Marshal.Copy(expected.Data, opencv, 0, opencv.Length);
            Assert.True(opencv.AsSpan().SequenceEqual(flow.Flow));
        }
        finally
        {
            grays.ForEach(g => g.Dispose());
        }
    }

    [Fact]
    public void A_frame_of_another_size_or_type_is_refused()
    {
        using var flow = new FarnebackFlow(180, 120, 0.5, 2, 7, 1, 5, 1.2);
        using var wrongSize = new Mat(120, 181, MatType.CV_8UC1);
        using var wrongType = new Mat(120, 180, MatType.CV_8UC3);

        Assert.Contains("180x120 8-bit grey", Assert.Throws<ArgumentException>(() => flow.Expand(wrongSize, 0)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => flow.Expand(wrongType, 0));
    }

    private static Mat Gray(byte[] bgr, int width, int height)
    {
        using var frame = Mat.FromPixelData(RealFrames.Height, RealFrames.Width, MatType.CV_8UC3, bgr);
        using var gray = new Mat();
        Cv2.CvtColor(frame, gray, ColorConversionCodes.BGR2GRAY);
        var resized = new Mat();
        Cv2.Resize(gray, resized, new Size(width, height), 0, 0, InterpolationFlags.Area);
        return resized;
    }

    private static int Differing(float[] a, float[] b) => a.Where((v, i) => v != b[i]).Count();
}
