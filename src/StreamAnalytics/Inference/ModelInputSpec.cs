using StreamAnalytics.Windowing;

namespace StreamAnalytics.Inference;

public sealed record ModelInputSpec(string Name, TensorLayout Layout, int Frames, FrameTensorFormat Format)
{
    /// <summary>The shape the manifest promises for one batch item, batch excluded.</summary>
    public int[] ItemShape => Layout == TensorLayout.Nchw
        ? [FrameTensorFormat.Channels, Format.Height, Format.Width]
        : [FrameTensorFormat.Channels, Frames, Format.Height, Format.Width];

    public int ItemElementCount => ItemShape.Aggregate(1, (a, b) => a * b);
}
