namespace StreamAnalytics.Tools.Actions;

/// <summary>
/// Reads a clip manifest as in <c>../shared/data/surveillance-fight/manifest.csv</c>: a <c>path,label</c>
/// header, then one clip per line, paths relative to the manifest's folder (absolute paths are kept).
/// Plain comma-separated values: paths and labels may not contain commas or quotes.
/// </summary>
internal static class ClipManifest
{
    /// <exception cref="InvalidDataException">Every problem at once: bad header, malformed rows, missing files.</exception>
    /// <exception cref="FileNotFoundException">The manifest itself does not exist.</exception>
    public static List<LabelledClip> Load(string manifestPath)
    {
        var full = Path.GetFullPath(manifestPath);
        if (!File.Exists(full))
        {
            throw new FileNotFoundException($"clip manifest '{full}' does not exist.", full);
        }

        var folder = Path.GetDirectoryName(full)!;
        var lines = File.ReadAllLines(full);
        var problems = new List<string>();
        if (lines.Length == 0 || !string.Equals(lines[0].Trim(), "path,label", StringComparison.OrdinalIgnoreCase))
        {
            problems.Add($"the first line must be the header 'path,label' (got '{(lines.Length > 0 ? lines[0] : string.Empty)}')");
        }

        var clips = new List<LabelledClip>();
        for (var i = 1; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0)
            {
                continue;
            }

            var parts = line.Split(',');
            if (parts.Length != 2 || parts.Any(p => p.Trim().Length == 0 || p.Contains('"', StringComparison.Ordinal)))
            {
                problems.Add($"line {i + 1}: expected 'path,label' (got '{line}')");
                continue;
            }

            var clipPath = Path.GetFullPath(Path.Combine(folder, parts[0].Trim()));
            if (!File.Exists(clipPath))
            {
                problems.Add($"line {i + 1}: '{clipPath}' does not exist");
                continue;
            }

            clips.Add(new LabelledClip(parts[0].Trim(), clipPath, parts[1].Trim()));
        }

        if (problems.Count == 0 && clips.Count == 0)
        {
            problems.Add("it lists no clips");
        }

        if (problems.Count > 0)
        {
            throw new InvalidDataException($"Clip manifest '{full}' cannot be used ({problems.Count} problem{(problems.Count == 1 ? string.Empty : "s")}):{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", problems)}");
        }

        return clips;
    }
}
