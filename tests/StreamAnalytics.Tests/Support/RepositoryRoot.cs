namespace StreamAnalytics.Tests.Support;

/// <summary>The checkout the tests were built from (the folder holding StreamAnalytics.sln).</summary>
public static class RepositoryRoot
{
    private static readonly Lazy<string> LazyPath = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "StreamAnalytics.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No StreamAnalytics.sln above {AppContext.BaseDirectory}.");
    });

    public static string Path(params string[] parts) => System.IO.Path.Combine([LazyPath.Value, .. parts]);
}
