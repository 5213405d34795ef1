namespace StreamAnalytics.Heads.Motion;

/// <summary>How a <see cref="MotionNormalityModel"/> is learned and how its scores are smoothed and thresholded.</summary>
internal sealed record MotionNormalityOptions
{
    /// <summary>
    /// Frame scores are averaged over this many trailing frames (the frame itself included). Trailing,
    /// not centred, so the live pipeline reports the same score as the offline commands without delay.
    /// </summary>
    public int SmoothingFrames { get; init; } = 5;

    /// <summary>
    /// The threshold is this quantile of the training frames' smoothed held-out scores (each video scored
    /// against a model without that video). Held-out, because footage the model has already stored
    /// scores near zero and would give a threshold far below what new normal footage reaches.
    /// </summary>
    public double ThresholdQuantile { get; init; } = 0.995;

    /// <summary>
    /// Caps the frames kept per cell position. Memory and per-frame scoring grow linearly with it and the
    /// held-out threshold quadratically: 10,000 frames (17 minutes at 10 fps) is about 43 MB, 3 ms per
    /// frame. Above the cap, frames are thinned evenly over all footage, so no stretch of time is lost as a whole.
    /// </summary>
    public int MaxFrames { get; init; } = 10_000;

    /// <summary>
    /// Long footage is cut into blocks of at most this many frames for the held-out scores: neighbouring
    /// frames are nearly identical, so holding out single frames would make normal footage look too familiar.
    /// </summary>
    public int HoldOutBlockFrames { get; init; } = 300;

    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (SmoothingFrames is < 1 or > 1000)
        {
            problems.Add($"smoothing frames must be between 1 and 1000 (got {SmoothingFrames})");
        }

        if (!(ThresholdQuantile is > 0 and <= 1))
        {
            problems.Add($"threshold quantile must be in (0, 1] (got {ThresholdQuantile})");
        }

        if (MaxFrames < 2)
        {
            problems.Add($"max frames must be at least 2 (got {MaxFrames})");
        }

        if (HoldOutBlockFrames < 1)
        {
            problems.Add($"hold-out block must be at least 1 frame (got {HoldOutBlockFrames})");
        }

        return problems;
    }
}
