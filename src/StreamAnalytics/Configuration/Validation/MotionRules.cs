namespace StreamAnalytics.Configuration.Validation;

/// <summary>Limits of <c>Detection.Motion</c> and of a camera's <c>LearningMinutes</c>.</summary>
internal static class MotionRules
{
    public const string LearningMinutesRange = "must be above 0 and at most 10080 (a week of footage)";

    public static bool IsLearningMinutes(double minutes) => minutes is > 0 and <= 10_080;

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

        if (motion.HoldOutBlockSeconds is < 1 or > 3600 || double.IsNaN(motion.HoldOutBlockSeconds))
        {
            errors.Add($"Detection.Motion.HoldOutBlockSeconds must be between 1 and 3600 (got {motion.HoldOutBlockSeconds}).");
        }

        if (!(motion.ThresholdQuantile is > 0.5 and <= 1))
        {
            errors.Add($"Detection.Motion.ThresholdQuantile must be above 0.5 and at most 1 (got {motion.ThresholdQuantile}).");
        }
    }
}
