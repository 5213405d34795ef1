namespace StreamAnalytics.Configuration.Validation;

/// <summary>Rules for a <see cref="WindowOptions"/>, which appears both as the pipeline's default and as a camera's override.</summary>
internal static class WindowRules
{
    /// <param name="where">The prefix each message starts with, e.g. "Window" or "Cameras[0] (camera 'front'): Window".</param>
    public static void Check(WindowOptions window, string where, ICollection<string> errors)
    {
        if (window.Length is < 1 or > 256)
        {
            errors.Add($"{where}.Length must be between 1 and 256 (got {window.Length}).");
        }

        if (window.Subsample is < 0 or > 1000)
        {
            errors.Add($"{where}.Subsample must be between 0 and 1000 (got {window.Subsample}).");
        }

        if (window.Hop < 1 || window.Hop > Math.Max(1, window.Length) * 16)
        {
            errors.Add($"{where}.Hop must be at least 1 and at most 16 × Length (got {window.Hop}).");
        }
    }
}
