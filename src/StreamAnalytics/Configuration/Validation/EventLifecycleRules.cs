namespace StreamAnalytics.Configuration.Validation;

/// <summary>Rules for an <see cref="EventLifecycleOptions"/>, which appears under Detection and as per-camera and per-label overrides.</summary>
internal static class EventLifecycleRules
{
    /// <param name="where">The prefix each message starts with, e.g. "Detection.Lifecycle".</param>
    public static void Check(EventLifecycleOptions lifecycle, string where, ICollection<string> errors)
    {
        if (lifecycle.EnterOf < 1 || lifecycle.EnterWindows < 1 || lifecycle.EnterWindows > lifecycle.EnterOf)
        {
            errors.Add($"{where}: need 1 <= EnterWindows <= EnterOf (got {lifecycle.EnterWindows} of {lifecycle.EnterOf}).");
        }

        if (lifecycle.ExitWindows < 1 || lifecycle.MinDurationSeconds < 0 || lifecycle.UpdateIntervalSeconds < 0)
        {
            errors.Add($"{where}: ExitWindows must be at least 1; MinDurationSeconds and UpdateIntervalSeconds must not be negative.");
        }
    }
}
