using StreamAnalytics.Contracts;

namespace StreamAnalytics.Windowing;

/// <summary>
/// T sampled frames of one camera in capture order. Pooled: whoever holds it last calls
/// <see cref="Release"/>, which also releases its frames.
/// </summary>
internal sealed class Window
{
    private readonly WindowPool _pool;

    internal Window(WindowPool pool, string cameraId, int length)
    {
        _pool = pool;
        CameraId = cameraId;
        Frames = new FrameSlot[length];
    }

    public string CameraId { get; }

    /// <summary>0-based count of windows this camera has built.</summary>
    public long Index { get; internal set; }

    public FrameSlot[] Frames { get; }

    /// <summary>The frame heads' verdicts on this window (each the highest score over the frames it spans); reused with the window.</summary>
    public List<HeadResult> HeadResults { get; } = new(2);

    /// <summary>
    /// The camera's motion gate found the scene unchanged since the backbone last saw it: inference neither runs the
    /// backbone nor the window heads on it, and passes on the frame heads' verdicts with the window heads' last ones.
    /// </summary>
    public bool Gated { get; internal set; }

    /// <summary>Stopwatch timestamp of when the window closed, for the inference queue-wait metric.</summary>
    public long BuiltTimestamp { get; internal set; }

    public int Length => Frames.Length;

    public long FirstSequence => Frames[0].Sequence;

    public long LastSequence => Frames[^1].Sequence;

    public DateTimeOffset FirstCaptureTime => Frames[0].CaptureTime;

    public DateTimeOffset LastCaptureTime => Frames[^1].CaptureTime;

    /// <summary>
    /// The window's last frame, masked, for a snapshot should the window become an incident's peak; null when
    /// the camera's snapshots are off. The window owns it until <see cref="TakeSnapshot"/> hands it on.
    /// </summary>
    public Snapshots.SnapshotFrame? Snapshot { get; internal set; }

    /// <summary>Moves the snapshot's reference to the caller, who must release it.</summary>
    public Snapshots.SnapshotFrame? TakeSnapshot()
    {
        var snapshot = Snapshot;
        Snapshot = null;
        return snapshot;
    }

    public void Release()
    {
        foreach (var frame in Frames)
        {
            frame.Release();
        }

        TakeSnapshot()?.Release();

        Array.Clear(Frames);
        HeadResults.Clear();
        Gated = false;
        _pool.Return(this);
    }
}
