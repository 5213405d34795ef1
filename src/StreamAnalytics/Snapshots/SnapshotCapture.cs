using OpenCvSharp;
using OpenCvSharp.Internal;
using StreamAnalytics.Ingest;

namespace StreamAnalytics.Snapshots;

/// <summary>
/// Keeps a copy of the frame that closes a window, for a camera with snapshots on. It runs after the
/// camera's masks were applied to the frame, so a snapshot never holds a masked pixel. The copy is scaled
/// down to <c>MaxWidth</c> when the frame is wider, through OpenCV's native entry point with wrappers
/// created once per buffer, so a copy costs no managed allocation.
/// </summary>
internal sealed class SnapshotCapture(int? maxWidth)
{
    private SnapshotFramePool? _pool;
    private int _sourceWidth;
    private int _sourceHeight;

    /// <summary>The camera's capture, or null when its snapshots are off (the default): then windows keep no copy at all.</summary>
    public static SnapshotCapture? For(Configuration.CameraOptions camera, Configuration.SnapshotOptions pipeline) =>
        (camera.Snapshot ?? pipeline) is { Enabled: true } options ? new SnapshotCapture(options.MaxWidth) : null;

    /// <summary>The pool for the current frame size (null before the first capture).</summary>
    public SnapshotFramePool? Pool => _pool;

    /// <summary>A new snapshot frame (one reference, the caller's) holding <paramref name="frame"/>'s pixels.</summary>
    public SnapshotFrame Capture(Frame frame)
    {
        if (_pool is null || frame.Width != _sourceWidth || frame.Height != _sourceHeight)
        {
            // A new decode size: buffers of the old size still in flight go back to the old pool and die with it.
            var (width, height) = TargetSize(frame.Width, frame.Height, maxWidth);
            _pool = new SnapshotFramePool(width, height);
            _sourceWidth = frame.Width;
            _sourceHeight = frame.Height;
        }

        var snapshot = _pool.Rent();
        snapshot.Sequence = frame.Sequence;
        snapshot.CaptureTime = frame.CaptureTime;
        if (snapshot.Width == frame.Width && snapshot.Height == frame.Height)
        {
            frame.Pixels.CopyTo(snapshot.Buffer);
            return snapshot;
        }

        var status = NativeMethods.imgproc_resize(frame.InputArray.CvPtr, snapshot.Output.CvPtr, new Size(snapshot.Width, snapshot.Height), 0, 0, (int)InterpolationFlags.Area);
        GC.KeepAlive(frame);
        if (status != ExceptionStatus.NotOccurred)
        {
            snapshot.Release();
            throw new InvalidOperationException($"OpenCV resize failed ({status}) for a {frame.Width}x{frame.Height} snapshot.");
        }

        return snapshot;
    }

    internal static (int Width, int Height) TargetSize(int width, int height, int? maxWidth)
    {
        if (maxWidth is not { } max || width <= max)
        {
            return (width, height);
        }

        return (max, Math.Max(1, (int)Math.Round((double)height * max / width)));
    }
}
