using StreamAnalytics.Configuration;
using StreamAnalytics.Heads.Motion;

namespace StreamAnalytics.Tools.Anomaly;

/// <summary>
/// The noise controls an operator sets without learning again, as the offline tools apply them: the camera's
/// <c>MotionSensitivity</c>, <c>Detection.Motion.MinCells</c> and the lifecycle's <c>MinDurationSeconds</c>.
/// </summary>
internal sealed record AnomalyTuning(double Sensitivity = 1, int MinCells = 1, double MinDurationSeconds = 0)
{
    public static readonly AnomalyTuning Default = new();

    public MotionScoring Scoring => new() { Sensitivity = Sensitivity, MinCells = MinCells };

    /// <summary>The shipped lifecycle with this minimum duration.</summary>
    public EventLifecycleOptions Lifecycle(EventLifecycleOptions defaults) => defaults.WithMinDuration(MinDurationSeconds);

    /// <summary>Every problem with these values, in the options' own words; empty when usable.</summary>
    public string? Problem() =>
        !Configuration.Validation.MotionRules.IsSensitivity(Sensitivity) ? $"--sensitivity {Configuration.Validation.MotionRules.SensitivityRange}."
        : MinCells is < 1 or > 16 ? "--min-cells must be between 1 and 16."
        : MinDurationSeconds is < 0 or > 3600 || double.IsNaN(MinDurationSeconds) ? "--min-duration must be between 0 and 3600 seconds."
        : null;
}
