using OpenCvSharp;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Windowing;

public sealed class AreaResamplerTests
{
    [Theory]
    [InlineData(398, 224, 224, 224, 3)] // a 720p camera decoded at the model's rows, into ResNet-18's tensor
    [InlineData(398, 224, 180, 120, 1)] // the same frame's grey, into the motion head's analysis size
    [InlineData(360, 240, 224, 224, 3)] // Ped2 at its own size
    [InlineData(1280, 720, 224, 224, 3)] // a camera decoded at its own size
    [InlineData(640, 360, 180, 120, 1)]
    [InlineData(300, 200, 150, 90, 3)] // whole in width only
    [InlineData(97, 61, 13, 11, 4)]
    public void Matches_OpenCV_area_interpolation_to_the_bit(int sourceWidth, int sourceHeight, int width, int height, int channels)
    {
        var type = MatType.CV_8UC(channels);
        var random = new Random(sourceWidth + width);
        var bytes = new byte[sourceWidth * sourceHeight * channels];

        // Noise: every rounding decision is exercised, not only a smooth image's.
        random.NextBytes(bytes);
        using var source = Mat.FromPixelData(sourceHeight, sourceWidth, type, bytes);
        using var expected = new Mat();
        Cv2.Resize(source, expected, new Size(width, height), 0, 0, InterpolationFlags.Area);
        var opencv = new byte[width * height * channels];
        System.Runtime.InteropServices.Marshal.Copy(expected.Data, opencv, 0, opencv.Length);

        foreach (var gather in new[] { true, false })
        {
            var resampler = new AreaResampler(sourceWidth, sourceHeight, width, height, channels, gather);
            var ours = new byte[width * height * channels];
            resampler.Resize(bytes, sourceWidth * channels, ours);
            Assert.Equal(opencv, ours);

            // Planar floats, the channels in reverse: each value is OpenCV's byte, in its channel's plane.
            var planes = new float[width * height * channels];
            int[] planeOf = [.. Enumerable.Range(0, channels).Reverse()];
            resampler.ResizeToPlanes(bytes, sourceWidth * channels, planes, planeOf);
            for (var i = 0; i < width * height; i++)
            {
                for (var c = 0; c < channels; c++)
                {
                    Assert.Equal(opencv[(i * channels) + c], planes[(planeOf[c] * width * height) + i]);
                }
            }
        }
    }

    [Fact]
    public void Rows_may_be_further_apart_than_the_frame_is_wide()
    {
        const int sourceWidth = 398, sourceHeight = 224, padding = 32;
        var random = new Random(7);
        var stride = (sourceWidth * 3) + padding;
        var padded = new byte[stride * sourceHeight];
        random.NextBytes(padded);
        var packed = new byte[sourceWidth * 3 * sourceHeight];
        for (var y = 0; y < sourceHeight; y++)
        {
            padded.AsSpan(y * stride, sourceWidth * 3).CopyTo(packed.AsSpan(y * sourceWidth * 3));
        }

        var resampler = new AreaResampler(sourceWidth, sourceHeight, 224, 224, 3);
        var fromPadded = new byte[224 * 224 * 3];
        var fromPacked = new byte[224 * 224 * 3];
        resampler.Resize(padded, stride, fromPadded);
        resampler.Resize(packed, sourceWidth * 3, fromPacked);

        Assert.Equal(fromPacked, fromPadded);
    }

    [Theory]
    [InlineData(448, 448, 224, 224, false)] // whole factors both ways: OpenCV's integer path
    [InlineData(224, 224, 224, 224, false)]
    [InlineData(200, 224, 224, 224, false)] // wider: OpenCV interpolates linearly
    [InlineData(398, 224, 224, 224, true)]
    [InlineData(448, 300, 224, 224, true)]
    public void Handles_only_what_OpenCV_does_on_its_general_area_path(int sourceWidth, int sourceHeight, int width, int height, bool handled)
    {
        Assert.Equal(handled, AreaResampler.Handles(sourceWidth, sourceHeight, width, height));
    }
}
