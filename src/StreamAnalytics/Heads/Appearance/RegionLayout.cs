namespace StreamAnalytics.Heads.Appearance;

/// <summary>Where a frame's feature map sits in its concatenated backbone outputs (<c>FrameSlot.Features</c>), and its shape: channel-major, channels × cells.</summary>
/// <param name="Output">The map's index among the model's outputs.</param>
/// <param name="Offset">Its first value in a frame's concatenated outputs.</param>
internal readonly record struct RegionLayout(int Output, int Offset, int Channels, int Cells)
{
    public int Length => Channels * Cells;
}
