using StreamAnalytics.Inference;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Inference;

public sealed class ClipTensorTests
{
    private const int Frames = 3;
    private const int Width = 4;
    private const int Height = 2;

    private static readonly FrameTensorFormat Format = new(Width, Height, ColorOrder.Rgb, 1f, [0, 0, 0], [1, 1, 1]);

    /// <summary>Value of frame t, channel c, pixel i in the frame's planar [C,H,W] tensor.</summary>
    private static float Marker(int t, int c, int i) => (t * 1000) + (c * 100) + i;

    private static Window BuildWindow(int length)
    {
        var slots = new FrameSlotPool(Format);
        var window = new WindowPool("cam", length).Rent();
        for (var t = 0; t < length; t++)
        {
            var slot = slots.Rent();
            for (var c = 0; c < 3; c++)
            {
                for (var i = 0; i < Format.PlaneSize; i++)
                {
                    slot.Tensor[(c * Format.PlaneSize) + i] = Marker(t, c, i);
                }
            }

            window.Frames[t] = slot;
        }

        return window;
    }

    [Fact]
    public void Fill_lays_frames_out_as_channels_then_time_then_pixels()
    {
        var window = BuildWindow(Frames);
        var input = new ModelInputSpec("video", TensorLayout.Ncthw, Frames, Format);
        var item = new float[input.ItemElementCount];

        ClipTensor.Fill(window, input, item);

        var plane = Format.PlaneSize;
        for (var c = 0; c < 3; c++)
        {
            for (var t = 0; t < Frames; t++)
            {
                for (var i = 0; i < plane; i++)
                {
                    Assert.Equal(Marker(t, c, i), item[(((c * Frames) + t) * plane) + i]);
                }
            }
        }

        // Spot check against the [C,T,H,W] strides directly: c=2, t=1, y=1, x=3.
        Assert.Equal(Marker(1, 2, (1 * Width) + 3), item[(2 * Frames * Height * Width) + (1 * Height * Width) + (1 * Width) + 3]);
        window.Release();
    }

    [Fact]
    public void Fill_writes_only_its_own_item()
    {
        var window = BuildWindow(Frames);
        var input = new ModelInputSpec("video", TensorLayout.Ncthw, Frames, Format);
        var batch = new float[input.ItemElementCount * 3];
        Array.Fill(batch, -1f);

        ClipTensor.Fill(window, input, batch.AsSpan(input.ItemElementCount, input.ItemElementCount));

        Assert.All(batch[..input.ItemElementCount], v => Assert.Equal(-1f, v));
        Assert.All(batch[(2 * input.ItemElementCount)..], v => Assert.Equal(-1f, v));
        Assert.Equal(Marker(0, 0, 0), batch[input.ItemElementCount]);
        window.Release();
    }

    [Fact]
    public void A_window_of_the_wrong_length_is_rejected_with_advice()
    {
        var window = BuildWindow(2);
        var input = new ModelInputSpec("video", TensorLayout.Ncthw, Frames, Format);

        var ex = Assert.Throws<InvalidOperationException>(() => ClipTensor.Fill(window, input, new float[input.ItemElementCount]));

        Assert.Contains("Window.Length to 3", ex.Message, StringComparison.Ordinal);
        window.Release();
    }
}
