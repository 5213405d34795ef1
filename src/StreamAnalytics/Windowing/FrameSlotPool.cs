namespace StreamAnalytics.Windowing;

/// <summary>Frame tensors of one format for one camera; grows to what is in flight, then allocates nothing.</summary>
internal sealed class FrameSlotPool
{
    private readonly Buffers.FreeList<FrameSlot> _free;

    /// <param name="frameHeads">Frame heads of the camera: each slot keeps one score per head.</param>
    public FrameSlotPool(FrameTensorFormat format, int frameHeads = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(frameHeads);
        Format = format;
        _free = new(32, () => new FrameSlot(this, Format.ElementCount, frameHeads));
    }

    public FrameTensorFormat Format { get; }

    public int Created => _free.Created;

    public FrameSlot Rent()
    {
        var slot = _free.Rent();
        slot.Activate();
        return slot;
    }

    internal void Return(FrameSlot slot) => _free.Return(slot);
}
