namespace StreamAnalytics.Snapshots;

/// <summary>Snapshot buffers of one size for one camera; grows to what is in flight, then allocates nothing.</summary>
internal sealed class SnapshotFramePool
{
    private readonly Buffers.FreeList<SnapshotFrame> _free;

    public SnapshotFramePool(int width, int height)
    {
        Width = width;
        Height = height;
        _free = new(8, () => new SnapshotFrame(this, Width, Height));
    }

    public int Width { get; }

    public int Height { get; }

    public int Created => _free.Created;

    public SnapshotFrame Rent()
    {
        var frame = _free.Rent();
        frame.Activate();
        return frame;
    }

    internal void Return(SnapshotFrame frame) => _free.Return(frame);
}
