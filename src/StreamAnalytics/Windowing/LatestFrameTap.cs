using OpenCvSharp;
using StreamAnalytics.Ingest;

namespace StreamAnalytics.Windowing;

/// <summary>
/// Hands the next decoded, masked frame of a camera to whoever asks (the API's snapshot.jpg), as JPEG. Costs one
/// volatile read per frame while nobody asks; the frame that answers is encoded on the windowing thread, once for
/// every request waiting on it.
/// </summary>
internal sealed class LatestFrameTap
{
    private readonly Lock _gate = new();
    private TaskCompletionSource<byte[]>? _pending;

    /// <param name="quality">JPEG quality, 1–100.</param>
    public LatestFrameTap(int quality = 80)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quality, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quality, 100);
        Quality = quality;
    }

    public int Quality { get; }

    /// <summary>The JPEG of the next frame this camera decodes (after its masks are applied).</summary>
    public Task<byte[]> NextJpegAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            _pending ??= new TaskCompletionSource<byte[]>(TaskCreationOptions.RunContinuationsAsynchronously);
            return _pending.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Called by windowing with every frame, after masking; encodes it only when a request waits.</summary>
    public void Offer(Frame frame)
    {
        if (Volatile.Read(ref _pending) is null)
        {
            return;
        }

        TaskCompletionSource<byte[]>? waiting;
        lock (_gate)
        {
            waiting = _pending;
            _pending = null;
        }

        if (waiting is null)
        {
            return;
        }

        try
        {
            Cv2.ImEncode(".jpg", frame.Mat, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, Quality));
            waiting.TrySetResult(jpeg);
        }
        catch (OpenCVException ex)
        {
            waiting.TrySetException(ex);
        }
    }
}
