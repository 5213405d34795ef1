using StreamAnalytics.Windowing;

namespace StreamAnalytics.Inference;

public sealed record ModelInputSpec(string Name, TensorLayout Layout, int Frames, FrameTensorFormat Format)
{
    /// <summary>The shape the manifest promises for one batch item, batch excluded.</summary>
    public int[] ItemShape { get; } = Layout == TensorLayout.Nchw
        ? [FrameTensorFormat.Channels, Format.Height, Format.Width]
        : [FrameTensorFormat.Channels, Frames, Format.Height, Format.Width];

    /// <summary>Computed once: it is read for every encoded frame.</summary>
    public int ItemElementCount { get; } = FrameTensorFormat.Channels * Format.Height * Format.Width * (Layout == TensorLayout.Nchw ? 1 : Frames);
}
