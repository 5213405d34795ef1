namespace StreamAnalytics.Testing;

/// <summary>
/// Locates the <c>shared/data</c> folder that sits beside the repository checkout by walking up
/// from the test assembly's folder. <c>STREAMANALYTICS_SHARED_DATA</c> overrides the search.
/// </summary>
public static class SharedData
{
    public const string OverrideVariable = "STREAMANALYTICS_SHARED_DATA";

    private static readonly Lazy<string> LazyRoot = new(Locate);

    public static string Root => LazyRoot.Value;

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string Locate()
    {
        var overridden = Environment.GetEnvironmentVariable(OverrideVariable);
        if (!string.IsNullOrWhiteSpace(overridden))
        {
            if (!Directory.Exists(overridden))
            {
                throw new DirectoryNotFoundException(
                    $"{OverrideVariable} is set to '{overridden}', which is not a directory.");
            }

            return System.IO.Path.GetFullPath(overridden);
        }

        var start = AppContext.BaseDirectory;
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException(
            $"No 'shared/data' folder found in '{start}' or any folder above it. Put a copy of the "
            + $"shared folder beside the repository checkout or set {OverrideVariable}.");
    }
}
