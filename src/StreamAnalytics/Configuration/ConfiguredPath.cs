namespace StreamAnalytics.Configuration;

/// <summary>Where a path from the configuration or a command line points: the service and the offline tools read models and states alike.</summary>
internal static class ConfiguredPath
{
    /// <summary>
    /// Relative paths are tried against the install folder first (where the build puts the shipped models next
    /// to their ONNX files), then the working folder.
    /// </summary>
    public static string Resolve(string path)
    {
        if (Path.IsPathRooted(path))
        {
            return path;
        }

        var installed = Path.Combine(AppContext.BaseDirectory, path);
        return File.Exists(installed) ? installed : Path.GetFullPath(path);
    }
}
