namespace StreamAnalytics.Windowing;

/// <summary>Frame tensors of one format for one camera; grows to what is in flight, then allocates nothing.</summary>
public sealed class FrameSlotPool(FrameTensorFormat format)
{
    private readonly Stack<FrameSlot> _free = new(32);
    private readonly Lock _gate = new();
    private int _created;

    public FrameTensorFormat Format { get; } = format;

    public int Created => Volatile.Read(ref _created);

    public FrameSlot Rent()
    {
        FrameSlot? slot;
        lock (_gate)
        {
            _free.TryPop(out slot);
        }

        if (slot is null)
        {
            Interlocked.Increment(ref _created);
            slot = new FrameSlot(this, Format.ElementCount);
        }

        slot.Activate();
        return slot;
    }

    internal void Return(FrameSlot slot)
    {
        lock (_gate)
        {
            _free.Push(slot);
        }
    }
}
