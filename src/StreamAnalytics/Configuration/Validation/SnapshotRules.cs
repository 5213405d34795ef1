namespace StreamAnalytics.Configuration.Validation;

/// <summary>Rules for a <see cref="SnapshotOptions"/>, which appears under Detection and as a camera's override.</summary>
internal static class SnapshotRules
{
    /// <param name="where">The prefix each message starts with, e.g. "Detection.Snapshot".</param>
    public static void Check(SnapshotOptions snapshot, string where, ICollection<string> errors)
    {
        if (snapshot.Mode is not (SnapshotOptions.PathMode or SnapshotOptions.Base64Mode))
        {
            errors.Add($"{where}.Mode must be 'path' or 'base64' (got '{snapshot.Mode}').");
        }

        if (snapshot.Enabled && snapshot.Mode == SnapshotOptions.PathMode && string.IsNullOrWhiteSpace(snapshot.Directory))
        {
            errors.Add($"{where}.Directory is required in 'path' mode.");
        }

        if (snapshot.MaxBytes is < 1024 or > 8 * 1024 * 1024)
        {
            errors.Add($"{where}.MaxBytes must be between 1024 and 8388608 (got {snapshot.MaxBytes}).");
        }

        if (snapshot.Quality is < 1 or > 100)
        {
            errors.Add($"{where}.Quality must be between 1 and 100 (got {snapshot.Quality}).");
        }

        if (snapshot.MaxWidth is < 16 or > 7680)
        {
            errors.Add($"{where}.MaxWidth must be between 16 and 7680 (got {snapshot.MaxWidth}).");
        }
    }
}
