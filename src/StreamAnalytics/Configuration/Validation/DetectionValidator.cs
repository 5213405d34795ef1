namespace StreamAnalytics.Configuration.Validation;

/// <summary>The Detection section: anomaly and action thresholds, event lifecycles and snapshots.</summary>
internal sealed class DetectionValidator : IOptionsSectionValidator
{
    public void Validate(StreamAnalyticsOptions options, ICollection<string> errors)
    {
        var detection = options.Detection;
        var a = detection.Anomaly;
        if (a.CalibrationWindows < 2)
        {
            errors.Add($"Detection.Anomaly.CalibrationWindows must be at least 2 (got {a.CalibrationWindows}).");
        }

        if (a.Threshold is < 0 or > 2)
        {
            errors.Add($"Detection.Anomaly.Threshold is a cosine distance between 0 and 2 (got {a.Threshold}).");
        }

        if (a.Sigma <= 0 || a.MinThreshold < 0 || a.CooldownSeconds < 0)
        {
            errors.Add("Detection.Anomaly: Sigma must be positive; MinThreshold and CooldownSeconds must not be negative.");
        }

        if (a.RefreshMinutes is < 0 or > 10_080 || double.IsNaN(a.RefreshMinutes))
        {
            errors.Add($"Detection.Anomaly.RefreshMinutes must be between 0 (never) and 10080 (got {a.RefreshMinutes}).");
        }

        if (a.LastingChangeMinutes is < 0 or > 10_080 || double.IsNaN(a.LastingChangeMinutes))
        {
            errors.Add($"Detection.Anomaly.LastingChangeMinutes must be between 0 (never) and 10080 (got {a.LastingChangeMinutes}).");
        }

        if (a.Regions)
        {
            if (a.Threshold is not null)
            {
                errors.Add("Detection.Anomaly.Threshold is a cosine distance of the whole embedding; with Regions the threshold is RegionMargin: remove one.");
            }

            if (a.RegionMargin is <= 0 or > 1000 || double.IsNaN(a.RegionMargin))
            {
                errors.Add($"Detection.Anomaly.RegionMargin must be above 0 and at most 1000 (got {a.RegionMargin}).");
            }

            if (a.RegionMinCells < 1)
            {
                errors.Add($"Detection.Anomaly.RegionMinCells must be at least 1 (got {a.RegionMinCells}).");
            }
        }

        MotionRules.Check(detection.Motion, errors);
        EventLifecycleRules.Check(detection.Lifecycle, "Detection.Lifecycle", errors);
        foreach (var (label, lifecycle) in detection.LifecycleByLabel)
        {
            EventLifecycleRules.Check(lifecycle, $"Detection.LifecycleByLabel['{label}']", errors);
        }

        foreach (var (label, threshold) in detection.Action.Thresholds)
        {
            if (threshold is < 0 or > 1)
            {
                errors.Add($"Detection.Action.Thresholds['{label}'] is a probability between 0 and 1 (got {threshold}).");
            }
        }

        if (detection.Action.DefaultThreshold is < 0 or > 1 || detection.Action.CooldownSeconds < 0)
        {
            errors.Add("Detection.Action: DefaultThreshold must be between 0 and 1 and CooldownSeconds must not be negative.");
        }

        SnapshotRules.Check(detection.Snapshot, "Detection.Snapshot", errors);
    }
}
