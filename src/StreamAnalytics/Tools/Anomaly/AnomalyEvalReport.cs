using System.Text.Json.Serialization;

namespace StreamAnalytics.Tools.Anomaly;

/// <summary>
/// The JSON report of <c>eval anomaly</c> (docs/models.md). Undefined figures, such as the AUC of a video
/// whose frames are all anomalous, are null rather than zero.
/// </summary>
internal sealed record AnomalyEvalReport(
    string State,
    string Labels,
    AnomalyModelSummary Model,
    double? MicroAuc,
    double? MicroAucRaw,
    int Frames,
    int AnomalousFrames,
    double? TruePositiveRateAtThreshold,
    double? FalsePositiveRateAtThreshold,
    double MillisecondsPerFrame,
    IReadOnlyList<AnomalyVideoReport> Videos,
    AnomalyEventReport? Events = null)
{
    // Constants, but instance properties so that the serializer writes them into the report.
#pragma warning disable CA1822
    [JsonPropertyOrder(-3)]
    public int SchemaVersion => 1;

    [JsonPropertyOrder(-2)]
    public string Task => "anomaly";

    [JsonPropertyOrder(-1)]
    public string Metric => "frame-level ROC AUC";
#pragma warning restore CA1822
}
