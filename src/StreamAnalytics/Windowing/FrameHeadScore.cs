namespace StreamAnalytics.Windowing;

/// <summary>
/// One frame's score from a frame head. <see cref="Score"/> is what is reported and thresholded (a head may
/// smooth it); <see cref="RawScore"/> is the frame's own. A frame the head cannot score yet (the motion head's
/// first frame has no predecessor) has <see cref="HasScore"/> false, both scores 0, and adds nothing to its window.
/// </summary>
internal readonly record struct FrameHeadScore(long Sequence, bool HasScore, double RawScore, double Score, double Threshold)
{
    public bool IsAnomalous => Score > Threshold;
}
