namespace StreamAnalytics.Snapshots;

/// <summary>Snapshot buffers of one size for one camera; grows to what is in flight, then allocates nothing.</summary>
public sealed class SnapshotFramePool(int width, int height)
{
    private readonly Stack<SnapshotFrame> _free = new(8);
    private readonly Lock _gate = new();
    private int _created;

    public int Width { get; } = width;

    public int Height { get; } = height;

    public int Created => Volatile.Read(ref _created);

    public SnapshotFrame Rent()
    {
        SnapshotFrame? frame;
        lock (_gate)
        {
            _free.TryPop(out frame);
        }

        if (frame is null)
        {
            Interlocked.Increment(ref _created);
            frame = new SnapshotFrame(this, Width, Height);
        }

        frame.Activate();
        return frame;
    }

    internal void Return(SnapshotFrame frame)
    {
        lock (_gate)
        {
            _free.Push(frame);
        }
    }
}
