using OpenCvSharp;

namespace StreamAnalytics.Ingest;

/// <summary>
/// One decoded BGR frame in a pooled, pinned buffer. Exactly one stage owns a frame at a time;
/// the last owner disposes it, which returns the buffer to its pool.
/// </summary>
internal sealed class Frame : IDisposable
{
    private readonly FramePool _pool;
    private Mat? _mat;
    private InputArray? _inputArray;
    private int _rented;

    internal Frame(FramePool pool, int width, int height)
    {
        _pool = pool;
        Width = width;
        Height = height;
        Buffer = GC.AllocateUninitializedArray<byte>(width * height * 3, pinned: true);
    }

    public string CameraId => _pool.CameraId;

    /// <summary>Per-camera decode order, strictly increasing across reconnects.</summary>
    public long Sequence { get; internal set; }

    public DateTimeOffset CaptureTime { get; internal set; }

    /// <summary>The first frame after the decoder (re)started: there is a gap in time before it.</summary>
    public bool FirstOfSession { get; internal set; }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Height × Width × 3 bytes, BGR, row-major.</summary>
    public byte[] Buffer { get; }

    public Span<byte> Pixels => Buffer.AsSpan();

    /// <summary>An OpenCV view of the buffer, created once per pooled frame (no copy, no per-frame allocation).</summary>
    internal Mat Mat => _mat ??= Mat.FromPixelData(Height, Width, MatType.CV_8UC3, System.Runtime.InteropServices.Marshal.UnsafeAddrOfPinnedArrayElement(Buffer, 0));

    internal InputArray InputArray => _inputArray ??= InputArray.Create(Mat);

    internal void MarkRented() => Volatile.Write(ref _rented, 1);

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _rented, 0) == 1)
        {
            _pool.Return(this);
        }
    }

    internal void ReleaseNative()
    {
        _inputArray?.Dispose();
        _mat?.Dispose();
    }
}
