namespace StreamAnalytics.Tools.Actions;

/// <summary>
/// One view of a clip for the action head: the backbone outputs of the frames it samples, in order
/// (each a frame's outputs concatenated in manifest order, as in a live <c>FrameSlot.Features</c>).
/// </summary>
/// <param name="Offset">Where in each stretch of decoded frames this view samples (see <c>ClipFeatureRecipe.ViewOffsets</c>).</param>
/// <param name="Mirrored">The frames were mirrored left-right before encoding (augmentation; a fight has no handedness).</param>
internal sealed record ClipView(double Offset, bool Mirrored, IReadOnlyList<float[]> Frames)
{
    public string Name => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"u{Offset:0.0}{(Mirrored ? "-mirrored" : string.Empty)}");
}
