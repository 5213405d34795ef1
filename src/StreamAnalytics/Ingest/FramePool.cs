namespace StreamAnalytics.Ingest;

/// <summary>
/// Pinned frame buffers of one size for one camera. It grows to the number of frames in flight
/// (bounded by the channel capacity) and then allocates nothing.
/// </summary>
public sealed class FramePool : IDisposable
{
    private readonly Stack<Frame> _free = new(16);
    private readonly Lock _gate = new();
    private int _created;
    private bool _disposed;

    public FramePool(string cameraId, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(width);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(height);
        CameraId = cameraId;
        Width = width;
        Height = height;
    }

    public string CameraId { get; }

    public int Width { get; }

    public int Height { get; }

    public int FrameBytes => Width * Height * 3;

    /// <summary>Frames this pool has allocated so far (a steady state stops this growing).</summary>
    public int Created => Volatile.Read(ref _created);

    public Frame Rent()
    {
        Frame? frame;
        lock (_gate)
        {
            _free.TryPop(out frame);
        }

        if (frame is null)
        {
            Interlocked.Increment(ref _created);
            frame = new Frame(this, Width, Height);
        }

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

        lock (_gate)
        {
            _free.Push(frame);
        }
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        lock (_gate)
        {
            while (_free.TryPop(out var frame))
            {
                frame.ReleaseNative();
            }
        }
    }
}
