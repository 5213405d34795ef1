namespace StreamAnalytics.Tools.Anomaly;

/// <summary>
/// One incident that <see cref="IncidentReplay"/> raised: the first frame it covers (its first window above the
/// threshold), the frame whose window started it (when a live camera would have published <c>start</c>), and its
/// last frame (the window that ended it, or the video's last frame). Frames are the decoder's 1-based sequence numbers.
/// </summary>
internal sealed record ReplayedIncident(long FirstFrame, long AlertFrame, long LastFrame)
{
    public bool Overlaps(int first, int last) => FirstFrame <= last && LastFrame >= first;
}
