using StreamAnalytics.Configuration;
using StreamAnalytics.Configuration.Validation;

namespace StreamAnalytics.Tests.Configuration.Validation;

public sealed class DetectionValidatorTests
{
    [Fact]
    public void Every_anomaly_action_lifecycle_and_snapshot_mistake_is_reported_at_once()
    {
        var options = new StreamAnalyticsOptions();
        var detection = options.Detection;
        detection.Anomaly = new() { CalibrationWindows = 1, Threshold = -0.5, Sigma = 0, RefreshMinutes = -1, LastingChangeMinutes = double.NaN };
        detection.Lifecycle = new() { EnterOf = 0 };
        detection.LifecycleByLabel["fall"] = new() { UpdateIntervalSeconds = -1 };
        detection.Action = new() { Thresholds = { ["fight"] = 0.5, ["fall"] = 2 }, CooldownSeconds = -1 };
        detection.Snapshot = new() { Quality = 101 };
        var errors = new List<string>();

        new DetectionValidator().Validate(options, errors);

        string[] expected =
        [
            "Detection.Anomaly.CalibrationWindows must be at least 2 (got 1).",
            "Detection.Anomaly.Threshold is a cosine distance between 0 and 2 (got -0.5).",
            "Detection.Anomaly: Sigma must be positive; MinThreshold and CooldownSeconds must not be negative.",
            "Detection.Anomaly.RefreshMinutes must be between 0 (never) and 10080 (got -1).",
            "Detection.Anomaly.LastingChangeMinutes must be between 0 (never) and 10080 (got NaN).",
            "Detection.Lifecycle: need 1 <= EnterWindows <= EnterOf (got 1 of 0).",
            "Detection.LifecycleByLabel['fall']: ExitWindows must be at least 1; MinDurationSeconds and UpdateIntervalSeconds must not be negative.",
            "Detection.Action.Thresholds['fall'] is a probability between 0 and 1 (got 2).",
            "Detection.Action: DefaultThreshold must be between 0 and 1 and CooldownSeconds must not be negative.",
            "Detection.Snapshot.Quality must be between 1 and 100 (got 101).",
        ];
        Assert.Equal(expected, errors);
    }

    [Fact]
    public void Regions_take_a_margin_not_a_cosine_threshold_and_every_region_mistake_is_reported()
    {
        var options = new StreamAnalyticsOptions();
        options.Detection.Anomaly = new() { Regions = true, Threshold = 0.1, RegionMargin = 0, RegionMinCells = 0 };
        var errors = new List<string>();

        new DetectionValidator().Validate(options, errors);

        string[] expected =
        [
            "Detection.Anomaly.Threshold is a cosine distance of the whole embedding; with Regions the threshold is RegionMargin: remove one.",
            "Detection.Anomaly.RegionMargin must be above 0 and at most 1000 (got 0).",
            "Detection.Anomaly.RegionMinCells must be at least 1 (got 0).",
        ];
        Assert.Equal(expected, errors);

        // Off, the region settings are not read.
        options.Detection.Anomaly.Regions = false;
        errors.Clear();
        new DetectionValidator().Validate(options, errors);
        Assert.Empty(errors);
    }
}
