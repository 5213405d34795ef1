namespace StreamAnalytics.Ingest;

/// <summary>
/// Pinned frame buffers of one size for one camera. It grows to the number of frames in flight
/// (bounded by the channel capacity) and then allocates nothing.
/// </summary>
internal sealed class FramePool : IDisposable
{
    private readonly Buffers.FreeList<Frame> _free;
    private bool _disposed;

    public FramePool(string cameraId, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        CameraId = cameraId;
        Width = width;
        Height = height;
        _free = new(16, () => new Frame(this, Width, Height));
    }

    public string CameraId { get; }

    public int Width { get; }

    public int Height { get; }

    public int FrameBytes => Width * Height * 3;

    /// <summary>Frames this pool has allocated so far (a steady state stops this growing).</summary>
    public int Created => _free.Created;

    public Frame Rent()
    {
        var frame = _free.Rent();
        frame.MarkRented();
        return frame;
    }

    internal void Return(Frame frame)
    {
        if (Volatile.Read(ref _disposed))
        {
            frame.ReleaseNative();
            return;
        }

        _free.Return(frame);
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        _free.Drain(frame => frame.ReleaseNative());
    }
}
