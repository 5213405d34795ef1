namespace StreamAnalytics.Configuration;

internal sealed class DetectionOptions
{
    public AnomalyOptions Anomaly { get; set; } = new();

    /// <summary>The motion anomaly head, learned live per camera (on by default).</summary>
    public MotionOptions Motion { get; set; } = new();

    public ActionOptions Action { get; set; } = new();

    /// <summary>Incident hysteresis for every camera and label, unless overridden.</summary>
    public EventLifecycleOptions Lifecycle { get; set; } = new();

    /// <summary>Per-label overrides of <see cref="Lifecycle"/> (e.g. <c>"fight"</c>, <c>"motion"</c>).</summary>
    public Dictionary<string, EventLifecycleOptions> LifecycleByLabel { get; set; } = new(StringComparer.Ordinal);

    /// <summary>An incident's peak frame as JPEG in its events, for every camera that does not set its own; off by default.</summary>
    public SnapshotOptions Snapshot { get; set; } = new();
}
