namespace StreamAnalytics.Configuration;

public sealed class DetectionOptions
{
    public AnomalyOptions Anomaly { get; set; } = new();

    public ActionOptions Action { get; set; } = new();
}
