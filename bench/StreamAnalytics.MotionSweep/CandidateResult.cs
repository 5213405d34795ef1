namespace StreamAnalytics.MotionSweep;

/// <summary>
/// What the sweep measured for one candidate. <see cref="MillisecondsPerFrame"/>: <c>MotionFeatureExtractor.Process</c>
/// on 1280x720 BGR frames, one OpenCV thread, resize included, the lowest of 3 passes' means, in wall time;
/// <see cref="CpuMillisecondsPerFrame"/> the same in the thread's CPU time.
/// <see cref="Spearman"/>: rank correlation of the leave-one-video-out held-out training scores with the reference's.
/// The test AUCs are null until the choice is made (they play no part in it).
/// </summary>
internal sealed record CandidateResult(
    string Name,
    string Description,
    string Settings,
    double MillisecondsPerFrame,
    double CpuMillisecondsPerFrame,
    double Spearman,
    double? TestAuc,
    double? TestAucRaw,
    double? Threshold);
