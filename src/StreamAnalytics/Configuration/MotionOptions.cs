namespace StreamAnalytics.Configuration;

/// <summary>
/// The motion anomaly head for every camera (<c>Detection.Motion</c>). A camera with no learned state learns what
/// normal motion looks like from its own first <see cref="LearningMinutes"/>, keeps the state under
/// <c>Pipeline.StateDirectory</c> so a restart resumes without learning again, and afterwards keeps learning slowly
/// from frames that raised nothing, so a scene that changes stops alerting.
/// </summary>
internal sealed class MotionOptions
{
    /// <summary>On by default: zero setup, every camera learns its own scene.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Minutes of a camera's own footage (capture time) learned as normal before it scores; <c>Cameras[i].LearningMinutes</c> overrides it.</summary>
    public double LearningMinutes { get; set; } = 10;

    /// <summary>
    /// Frames kept per camera, for learning and for the reservoir afterwards. Memory (4.3 KB a frame with the default
    /// features, twice: the reservoir and the model) and scoring cost grow linearly with it, a refresh quadratically.
    /// </summary>
    public int MaxFrames { get; set; } = 3000;

    /// <summary>Minutes of footage between two rebuilds of a learned camera's model from its reservoir of quiet frames (each one saved; none lowers the threshold).</summary>
    public double RefreshMinutes { get; set; } = 30;

    /// <summary>
    /// A change of motion that alerts for this many minutes of footage, with no quiet stretch of 30 s, joins what the camera
    /// learned as normal: a sample of its frames takes up to half of the model's frames (machinery that starts up, a flag
    /// put up), and the rebuilt model's threshold is no lower than before. 0 never does: the change alerts until a zone with <c>Sensitivity: 0</c> masks it. What moves is compared
    /// cell by cell, so the other half keeps the scene as it was everywhere else.
    /// </summary>
    public double LastingChangeMinutes { get; set; } = 10;

    /// <summary>The threshold is set from held-out scores of blocks this long, each scored against all the others.</summary>
    public double HoldOutBlockSeconds { get; set; } = 30;

    /// <summary>
    /// A frame is anomalous only where at least this many cells are above the threshold (its score is the distance of
    /// its this-th most unusual cell): 1 lets one small moving thing alert; more asks for a larger moving area.
    /// </summary>
    public int MinCells { get; set; } = 1;

    /// <summary>
    /// Motion is measured at most this many times a second per camera (up to 30% more, to keep common frame rates off the
    /// points where the stride changes), on every n-th decoded frame against
    /// the last measured one (the frames between repeat its score); 0 measures every decoded frame. 10, the rate the
    /// motion features were chosen at (Ped2 is 10 fps): a 15 fps camera is measured on every second frame, half the
    /// head's cost, a 25 or 30 fps one on every third. A state records the
    /// rate it was learned with and is refused under another.
    /// </summary>
    public double MaxFps { get; set; } = DefaultMaxFps;

    /// <summary>The default of <see cref="MaxFps"/>, and of the motion features the offline tools learn with.</summary>
    public const double DefaultMaxFps = 10;

    /// <summary>The learned threshold is this quantile of those held-out scores.</summary>
    public double ThresholdQuantile { get; set; } = 0.995;
}
