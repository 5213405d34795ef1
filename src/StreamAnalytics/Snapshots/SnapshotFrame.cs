using OpenCvSharp;

namespace StreamAnalytics.Snapshots;

/// <summary>
/// A copy of one masked frame (possibly scaled down), kept while it may become an incident's peak snapshot.
/// Pooled and reference counted across threads: the window holds it, then the inference result, then each
/// incident whose peak it is; whoever releases the last reference returns it to its pool.
/// </summary>
internal sealed class SnapshotFrame
{
    private readonly SnapshotFramePool _pool;
    private Mat? _mat;
    private OutputArray? _output;
    private Buffers.ReferenceCount _references;

    internal SnapshotFrame(SnapshotFramePool pool, int width, int height)
    {
        _pool = pool;
        Width = width;
        Height = height;
        Buffer = GC.AllocateUninitializedArray<byte>(width * height * 3, pinned: true);
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Height × Width × 3 bytes, BGR, row-major.</summary>
    public byte[] Buffer { get; }

    /// <summary>The decode sequence number of the frame it copies.</summary>
    public long Sequence { get; internal set; }

    public DateTimeOffset CaptureTime { get; internal set; }

    /// <summary>
    /// What the events say about this frame once it was encoded, so an incident's updates and end (or a second
    /// incident with the same peak) reuse the JPEG instead of encoding or writing it again. Detection thread only.
    /// </summary>
    public EventSnapshot? Encoded { get; set; }

    public int References => _references.Value;

    /// <summary>An OpenCV view of the buffer, created once per pooled buffer.</summary>
    internal Mat Mat => _mat ??= Mat.FromPixelData(Height, Width, MatType.CV_8UC3, System.Runtime.InteropServices.Marshal.UnsafeAddrOfPinnedArrayElement(Buffer, 0));

    internal OutputArray Output => _output ??= OutputArray.Create(Mat);

    internal void Activate()
    {
        Encoded = null;
        _references.Reset();
    }

    public void AddReference() => _references.Add();

    public void Release()
    {
        if (_references.Release(nameof(SnapshotFrame)))
        {
            _pool.Return(this);
        }
    }
}
