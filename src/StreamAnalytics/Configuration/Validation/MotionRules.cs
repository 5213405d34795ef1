namespace StreamAnalytics.Configuration.Validation;

/// <summary>Limits of <c>Detection.Motion</c> and of a camera's <c>LearningMinutes</c>.</summary>
internal static class MotionRules
{
    public const string LearningMinutesRange = "must be above 0 and at most 10080 (a week of footage)";

    public const string SensitivityRange = "must be above 0 and at most 100";

    public static bool IsLearningMinutes(double minutes) => minutes is > 0 and <= 10_080;

    public static bool IsSensitivity(double sensitivity) => sensitivity is > 0 and <= 100;

    public const string LastingChangeRange = "must be between 0 (never) and 10080";

    public static bool IsLastingChangeMinutes(double minutes) => minutes is >= 0 and <= 10_080;

    /// <summary>A camera's <c>MotionSensitivity</c>, <c>MotionLastingChangeMinutes</c> and <c>MotionZones</c>.</summary>
    public static void CheckCamera(CameraOptions camera, string where, ICollection<string> errors)
    {
        if (camera.MotionLastingChangeMinutes is { } lasting && !IsLastingChangeMinutes(lasting))
        {
            errors.Add($"{where}: MotionLastingChangeMinutes {LastingChangeRange} (got {lasting}).");
        }

        if (!IsSensitivity(camera.MotionSensitivity))
        {
            errors.Add($"{where}: MotionSensitivity {SensitivityRange} (got {camera.MotionSensitivity}).");
        }

        for (var i = 0; i < camera.MotionZones.Count; i++)
        {
            var zone = camera.MotionZones[i];
            var name = zone.Name is { Length: > 0 } n ? $"{where}: MotionZones[{i}] ('{n}')" : $"{where}: MotionZones[{i}]";
            if (zone.Sensitivity is < 0 or > 100 || double.IsNaN(zone.Sensitivity))
            {
                errors.Add($"{name}: Sensitivity must be between 0 (ignore motion there) and 100 (got {zone.Sensitivity}).");
            }
        }

        PolygonRules.Check([.. camera.MotionZones.Select(z => new PolygonOptions { Name = z.Name, Points = z.Points })], where + ": MotionZones", errors);
    }

    public static void Check(MotionOptions motion, ICollection<string> errors)
    {
        if (!IsLearningMinutes(motion.LearningMinutes))
        {
            errors.Add($"Detection.Motion.LearningMinutes {LearningMinutesRange} (got {motion.LearningMinutes}).");
        }

        if (motion.MaxFrames is < 100 or > 100_000)
        {
            errors.Add($"Detection.Motion.MaxFrames must be between 100 and 100000 (got {motion.MaxFrames}).");
        }

        if (motion.RefreshMinutes is < 0.01 or > 10_080 || double.IsNaN(motion.RefreshMinutes))
        {
            errors.Add($"Detection.Motion.RefreshMinutes must be between 0.01 and 10080 (got {motion.RefreshMinutes}).");
        }

        if (!IsLastingChangeMinutes(motion.LastingChangeMinutes))
        {
            errors.Add($"Detection.Motion.LastingChangeMinutes {LastingChangeRange} (got {motion.LastingChangeMinutes}).");
        }

        if (motion.HoldOutBlockSeconds is < 1 or > 3600 || double.IsNaN(motion.HoldOutBlockSeconds))
        {
            errors.Add($"Detection.Motion.HoldOutBlockSeconds must be between 1 and 3600 (got {motion.HoldOutBlockSeconds}).");
        }

        if (!(motion.MaxFps is >= 0 and <= 120))
        {
            errors.Add($"Detection.Motion.MaxFps must be between 0 (every frame) and 120 (got {motion.MaxFps}).");
        }

        if (motion.MinCells is < 1 or > 16)
        {
            errors.Add($"Detection.Motion.MinCells must be between 1 and 16 (got {motion.MinCells}).");
        }

        if (!(motion.ThresholdQuantile is > 0.5 and <= 1))
        {
            errors.Add($"Detection.Motion.ThresholdQuantile must be above 0.5 and at most 1 (got {motion.ThresholdQuantile}).");
        }
    }
}
