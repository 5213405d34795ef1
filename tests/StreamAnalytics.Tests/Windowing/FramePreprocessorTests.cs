using StreamAnalytics.Ingest;
using StreamAnalytics.Tests.Fakes;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Windowing;

public sealed class FramePreprocessorTests
{
    private const int Width = 4;
    private const int Height = 3;

    private static readonly float[] Mean = [10f, 20f, 30f];
    private static readonly float[] Std = [2f, 4f, 5f];
    private const float Scale = 0.5f;

    [Theory]
    [InlineData(nameof(ColorOrder.Bgr), new[] { 0, 1, 2 })]
    [InlineData(nameof(ColorOrder.Rgb), new[] { 2, 1, 0 })]
    public void Same_size_frame_is_normalised_per_channel_in_the_requested_order(string order, int[] sourceByteOfChannel)
    {
        // By name: ColorOrder is internal to the product, and a test method's parameters must be public.
        var format = new FrameTensorFormat(Width, Height, Enum.Parse<ColorOrder>(order), Scale, Mean, Std);
        using var preprocessor = new FramePreprocessor(format);
        var pool = new FramePool("cam", Width, Height);
        using var frame = pool.Rent();
        var pixels = frame.Pixels;
        for (var i = 0; i < Width * Height; i++)
        {
            pixels[(i * 3) + 0] = (byte)(10 + i);  // B
            pixels[(i * 3) + 1] = (byte)(100 + i); // G
            pixels[(i * 3) + 2] = (byte)(200 + i); // R
        }

        var tensor = new float[format.ElementCount];
        preprocessor.Process(frame, tensor);

        for (var c = 0; c < 3; c++)
        {
            for (var i = 0; i < Width * Height; i++)
            {
                var v = pixels[(i * 3) + sourceByteOfChannel[c]];
                var expected = ((v * Scale) - Mean[c]) / Std[c];
                Assert.Equal(expected, tensor[(c * Width * Height) + i], 4);
            }
        }
    }

    [Fact]
    public void Rgb_puts_the_red_byte_in_the_first_plane()
    {
        var format = new FrameTensorFormat(Width, Height, ColorOrder.Rgb, 1f, [0, 0, 0], [1, 1, 1]);
        using var preprocessor = new FramePreprocessor(format);
        var pool = new FramePool("cam", Width, Height);
        using var frame = TestFrames.RentUniform(pool, 0, b: 1, g: 2, r: 3);
        var tensor = new float[format.ElementCount];

        preprocessor.Process(frame, tensor);

        var plane = format.PlaneSize;
        Assert.All(tensor[..plane], v => Assert.Equal(3f, v));
        Assert.All(tensor[plane..(2 * plane)], v => Assert.Equal(2f, v));
        Assert.All(tensor[(2 * plane)..], v => Assert.Equal(1f, v));
    }

    [Theory]
    [InlineData(64, 48)] // downscale (area)
    [InlineData(8, 8)]   // upscale (linear)
    [InlineData(40, 10)] // aspect ratio changes
    public void Resized_uniform_frame_keeps_its_colour(int frameWidth, int frameHeight)
    {
        var format = new FrameTensorFormat(16, 16, ColorOrder.Rgb, 1f / 255f, [0, 0, 0], [1, 1, 1]);
        using var preprocessor = new FramePreprocessor(format);
        var pool = new FramePool("cam", frameWidth, frameHeight);
        using var frame = TestFrames.RentUniform(pool, 0, b: 10, g: 100, r: 200);
        var tensor = new float[format.ElementCount];

        preprocessor.Process(frame, tensor);

        var plane = format.PlaneSize;
        Assert.All(tensor[..plane], v => Assert.Equal(200f / 255f, v, 5));
        Assert.All(tensor[plane..(2 * plane)], v => Assert.Equal(100f / 255f, v, 5));
        Assert.All(tensor[(2 * plane)..], v => Assert.Equal(10f / 255f, v, 5));
    }

    [Fact]
    public void Resize_keeps_the_layout_of_a_frame_split_in_two_colours()
    {
        // Left half blue, right half red: after a 4x downscale the left half of each plane stays blue.
        var format = new FrameTensorFormat(8, 4, ColorOrder.Bgr, 1f, [0, 0, 0], [1, 1, 1]);
        using var preprocessor = new FramePreprocessor(format);
        var pool = new FramePool("cam", 32, 16);
        using var frame = pool.Rent();
        var pixels = frame.Pixels;
        for (var y = 0; y < 16; y++)
        {
            for (var x = 0; x < 32; x++)
            {
                var at = ((y * 32) + x) * 3;
                pixels[at] = x < 16 ? (byte)255 : (byte)0;
                pixels[at + 1] = 0;
                pixels[at + 2] = x < 16 ? (byte)0 : (byte)255;
            }
        }

        var tensor = new float[format.ElementCount];
        preprocessor.Process(frame, tensor);

        for (var y = 0; y < 4; y++)
        {
            for (var x = 0; x < 8; x++)
            {
                var i = (y * 8) + x;
                Assert.Equal(x < 4 ? 255f : 0f, tensor[i]);                          // B plane
                Assert.Equal(0f, tensor[format.PlaneSize + i]);                      // G plane
                Assert.Equal(x < 4 ? 0f : 255f, tensor[(2 * format.PlaneSize) + i]); // R plane
            }
        }
    }

    [Theory]
    [InlineData(nameof(ColorOrder.Bgr), 398, 224)] // a 720p camera under DecodeSize auto: the resampler's path
    [InlineData(nameof(ColorOrder.Rgb), 398, 224)]
    [InlineData(nameof(ColorOrder.Rgb), 448, 448)] // a whole factor: OpenCV's own integer path
    public void A_shrunk_frame_gives_the_tensor_of_OpenCV_area_resize_then_normalisation_to_the_bit(string order, int frameWidth, int frameHeight)
    {
        var format = new FrameTensorFormat(224, 224, Enum.Parse<ColorOrder>(order), 1f / 255f, [0.485f, 0.456f, 0.406f], [0.229f, 0.224f, 0.225f]);
        using var preprocessor = new FramePreprocessor(format);
        var pool = new FramePool("cam", frameWidth, frameHeight);
        using var frame = pool.Rent();
        new Random(frameWidth).NextBytes(frame.Pixels);

        var tensor = new float[format.ElementCount];
        preprocessor.Process(frame, tensor);

        using var source = OpenCvSharp.Mat.FromPixelData(frameHeight, frameWidth, OpenCvSharp.MatType.CV_8UC3, frame.Pixels.ToArray());
        using var resized = new OpenCvSharp.Mat();
        OpenCvSharp.Cv2.Resize(source, resized, new OpenCvSharp.Size(224, 224), 0, 0, OpenCvSharp.InterpolationFlags.Area);
        var bgr = new byte[224 * 224 * 3];
        System.Runtime.InteropServices.Marshal.Copy(resized.Data, bgr, 0, bgr.Length);
        var plane = format.PlaneSize;
        for (var c = 0; c < 3; c++)
        {
            var sourceByte = format.ColorOrder == ColorOrder.Bgr ? c : 2 - c;
            var multiplier = format.Scale / format.Std[c];
            var offset = -format.Mean[c] / format.Std[c];
            for (var i = 0; i < plane; i++)
            {
                var expected = (bgr[(i * 3) + sourceByte] * multiplier) + offset;
                Assert.Equal(expected, tensor[(c * plane) + i]);
            }
        }
    }

    [Fact]
    public void A_tensor_smaller_than_the_format_is_rejected()
    {
        var format = new FrameTensorFormat(Width, Height, ColorOrder.Bgr, 1f, [0, 0, 0], [1, 1, 1]);
        using var preprocessor = new FramePreprocessor(format);
        var pool = new FramePool("cam", Width, Height);
        using var frame = pool.Rent();

        Assert.Throws<ArgumentException>(() => preprocessor.Process(frame, new float[format.ElementCount - 1]));
    }

    [Fact]
    public void Format_rejects_a_zero_std()
    {
        Assert.Throws<ArgumentException>(() => new FrameTensorFormat(4, 4, ColorOrder.Rgb, 1f, [0, 0, 0], [1, 0, 1]));
        Assert.Throws<ArgumentException>(() => new FrameTensorFormat(4, 4, ColorOrder.Rgb, 1f, [0, 0], [1, 1, 1]));
    }
}
