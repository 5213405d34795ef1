namespace StreamAnalytics.Detection;

/// <summary>
/// One frame's motion anomaly score. <see cref="Score"/> is the trailing mean that is reported and
/// thresholded; <see cref="RawScore"/> is the frame's own nearest-neighbour distance. A frame without a
/// predecessor (<see cref="HasMotion"/> false) has no motion evidence: both are 0 and it does not enter the mean.
/// </summary>
public readonly record struct MotionFrameScore(long Sequence, bool HasMotion, double RawScore, double Score, double Threshold)
{
    public bool IsAnomalous => Score > Threshold;
}
