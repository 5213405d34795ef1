namespace StreamAnalytics.Heads.Motion;

/// <summary>How one camera learns its motion normality live (from <c>Detection.Motion</c> and the camera's own <c>LearningMinutes</c>).</summary>
internal sealed record LiveMotionSettings
{
    /// <summary>Footage (capture time, gaps not counted) learned before the first model.</summary>
    public TimeSpan LearningDuration { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Footage between two rebuilds of the model from quiet frames.</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>Footage a change must alert for before it joins the model; <see cref="TimeSpan.Zero"/>: never.</summary>
    public TimeSpan LastingChange { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>A quiet stretch this long ends a change: a moment without it (a pause, an occlusion) does not.</summary>
    public TimeSpan ChangeBreak { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The threshold's hold-out unit: footage is held out in blocks of this much capture time.</summary>
    public TimeSpan HoldOutBlock { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Frames kept for learning and in the reservoir afterwards (and so in each model).</summary>
    public int MaxFrames { get; init; } = 3000;

    public double ThresholdQuantile { get; init; } = 0.995;

    public int SmoothingFrames { get; init; } = new MotionNormalityOptions().SmoothingFrames;

    /// <summary>
    /// The longest step of capture time one frame adds to the footage learned: a camera that was away for an hour has
    /// not shown an hour of normal motion.
    /// </summary>
    public TimeSpan MaxFrameGap { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Learn on the caller's thread (offline replay: faster than real time, every frame after the learning point is
    /// scored with the new model, as it would be at a live camera's pace); live learning runs off the frame path.
    /// </summary>
    public bool LearnInline { get; init; }
}
