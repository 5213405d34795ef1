using StreamAnalytics.Windowing;

namespace StreamAnalytics.Inference;

/// <param name="FrameFormat">How frames become the input tensor; null only for <see cref="TensorLayout.Features"/>, which takes no pixels.</param>
/// <param name="Features">Set exactly when <paramref name="Layout"/> is <see cref="TensorLayout.Features"/>: the recipe, backbone and length of the feature vector.</param>
internal sealed record ModelInputSpec(string Name, TensorLayout Layout, int Frames, FrameTensorFormat? FrameFormat, FeatureInputSpec? Features = null)
{
    /// <summary>The frame format of a model that takes pixels. A features head has none: asking for it is a wiring bug.</summary>
    public FrameTensorFormat Format => FrameFormat
        ?? throw new InvalidOperationException($"Input '{Name}' takes {Features?.Recipe} features, not frames: it has no frame format.");

    /// <summary>The shape the manifest promises for one batch item, batch excluded.</summary>
    public int[] ItemShape { get; } = Layout switch
    {
        TensorLayout.Nchw => [FrameTensorFormat.Channels, Required(FrameFormat).Height, Required(FrameFormat).Width],
        TensorLayout.Ncthw => [FrameTensorFormat.Channels, Frames, Required(FrameFormat).Height, Required(FrameFormat).Width],
        _ => [Features?.Length ?? throw new ArgumentException("A features input needs its FeatureInputSpec.", nameof(Features))],
    };

    /// <summary>Computed once: it is read for every encoded frame.</summary>
    public int ItemElementCount { get; } = Layout == TensorLayout.Features
        ? Features?.Length ?? 0
        : FrameTensorFormat.Channels * Required(FrameFormat).Height * Required(FrameFormat).Width * (Layout == TensorLayout.Nchw ? 1 : Frames);

    // The culprit is the record's constructor argument FrameFormat, not this helper's parameter.
#pragma warning disable CA2208
    private static FrameTensorFormat Required(FrameTensorFormat? format) =>
        format ?? throw new ArgumentException("A model that takes frames needs its frame format.", nameof(FrameFormat));
#pragma warning restore CA2208
}
