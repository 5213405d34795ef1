namespace StreamAnalytics.Configuration;

/// <summary>
/// The per-camera anomaly detector learns what is normal from the camera's own first windows,
/// then scores every later window by its distance to the nearest learned window.
/// </summary>
internal sealed class AnomalyOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Windows learned as normal before scoring starts. Unset: 20 for the whole embedding, 80 with <see cref="Regions"/>,
    /// which on footage it had not learned raised 53–88 false incidents per hour with 20 windows and 21 with 80 (docs/models.md).
    /// </summary>
    public int? CalibrationWindows { get; set; }

    /// <summary>What the head calibrates on: <see cref="CalibrationWindows"/>, or its default for the comparison chosen.</summary>
    internal int CalibrationWindowCount => CalibrationWindows ?? (Regions ? 80 : 20);

    /// <summary>Fixed score threshold (cosine distance, 0..2). Unset: learned from calibration as mean + Sigma·std.</summary>
    public double? Threshold { get; set; }

    public double Sigma { get; set; } = 4;

    /// <summary>
    /// Footage (capture time) between two refreshes of a calibrated camera: half its normal windows are replaced by
    /// windows that raised nothing since the last one; the threshold stays the calibrated one. 0: it never learns after calibration.
    /// </summary>
    public double RefreshMinutes { get; set; } = 30;

    /// <summary>
    /// Footage (capture time) a change must keep alerting for, with no quiet stretch of 30 s, before it is learned as
    /// normal (a parked car in view): a sample of its windows that keeps it covered replaces the normal set at once, as a calibration on
    /// the change would, and the incident ends. What the camera showed before is forgotten, so the car leaving is a change
    /// in turn. 0: what alerts is never learned.
    /// </summary>
    public double LastingChangeMinutes { get; set; } = 10;

    /// <summary>Lowest threshold a learned one may take, so a static scene does not alert on noise.</summary>
    public double MinThreshold { get; set; } = 0.02;

    /// <summary>
    /// Compare windows cell by cell of the backbone's feature map (a model with a <c>featureMap</c> output, such as
    /// models/resnet18/model-featuremap.json) instead of by the whole embedding: each cell against the same cell of the
    /// normal windows, on a per-cell scale held out in time. The threshold is then <see cref="RegionMargin"/>, not a
    /// cosine distance. Measured with 80 calibration windows (docs/models.md).
    /// </summary>
    public bool Regions { get; set; }

    /// <summary>With <see cref="Regions"/>: a window alerts when its cell's distance is more than this many times the cell's scale.</summary>
    public double RegionMargin { get; set; } = 2;

    /// <summary>With <see cref="Regions"/>: a window's score is its N-th most unusual cell; 2 or more asks for a change larger than one cell.</summary>
    public int RegionMinCells { get; set; } = 1;

    /// <summary>Least capture time between the end of one anomaly incident of a camera and the start of the next.</summary>
    public double CooldownSeconds { get; set; } = 10;
}
