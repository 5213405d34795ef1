using StreamAnalytics.Windowing;

namespace StreamAnalytics.Inference;

/// <summary>Lays a window's per-frame planar tensors out as one clip item [C, T, H, W].</summary>
internal static class ClipTensor
{
    public static void Fill(Window window, ModelInputSpec input, Span<float> item)
    {
        var plane = input.Format.PlaneSize;
        var frames = input.Frames;
        if (window.Length != frames)
        {
            throw new InvalidOperationException($"The window holds {window.Length} frames but the model takes {frames}; set Window.Length to {frames}.");
        }

        for (var t = 0; t < frames; t++)
        {
            var source = window.Frames[t].Tensor.AsSpan();
            for (var c = 0; c < FrameTensorFormat.Channels; c++)
            {
                source.Slice(c * plane, plane).CopyTo(item.Slice(((c * frames) + t) * plane, plane));
            }
        }
    }
}
