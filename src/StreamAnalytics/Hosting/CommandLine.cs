using Microsoft.Extensions.Configuration;

namespace StreamAnalytics.Hosting;

/// <summary>
/// What the service takes from its command line: the configuration sources (<c>--config FILE</c> and
/// <c>--StreamAnalytics:Section:Key=value</c> overrides) and how start-up problems are reported. The verbs
/// themselves are parsed by the command-line front (<c>StreamAnalytics.Cli</c>).
/// </summary>
internal static class CommandLine
{
    public static string FormatProblems(IReadOnlyList<string> problems) =>
        $"Configuration is invalid ({problems.Count} problem{(problems.Count == 1 ? string.Empty : "s")}):{Environment.NewLine}"
        + string.Join(Environment.NewLine, problems.Select(p => "  - " + p));

    /// <summary>appsettings.json next to the executable, or the --config file instead of it; then environment; then the command line.</summary>
    public static IConfiguration BuildConfiguration(string[] args)
    {
        var rest = new List<string>();
        string? configFile = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--config")
            {
                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException("--config needs a file name.");
                }

                configFile = args[++i];
            }
            else if (args[i].StartsWith("--config=", StringComparison.Ordinal))
            {
                configFile = args[i]["--config=".Length..];
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        CheckOverrides(rest);
        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            var full = Path.GetFullPath(configFile);
            if (!File.Exists(full))
            {
                throw new FileNotFoundException($"--config file '{full}' does not exist.");
            }

            builder.AddJsonFile(full, optional: false, reloadOnChange: false);
        }
        else
        {
            builder.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        }

        return builder.AddEnvironmentVariables().AddCommandLine([.. rest]).Build();
    }

    /// <summary>
    /// Sections the command line may override. Anything else would be read into a key nothing reads (<c>--set X=1</c>
    /// becomes the key <c>set</c>), so the override the user meant would be dropped without a word.
    /// </summary>
    private static readonly string[] OverridableSections = ["StreamAnalytics", "Logging"];

    private static void CheckOverrides(List<string> arguments)
    {
        // The provider skips a bare word (neither --key, key=value, nor the value after a --key): 'check lanczos' would pass.
        for (var i = 0; i < arguments.Count; i++)
        {
            var argument = arguments[i];
            if (argument.StartsWith("--", StringComparison.Ordinal) || argument.StartsWith('/'))
            {
                i += argument.Contains('=', StringComparison.Ordinal) ? 0 : 1;
            }
            else if (!argument.StartsWith('-') && !argument.Contains('=', StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"the command line has '{argument}', which is neither an override nor the value of one. Overrides look like --StreamAnalytics:Section:Key=value (or --Logging:…), and --config FILE picks the file.");
            }
        }

        var strays = new ConfigurationBuilder().AddCommandLine([.. arguments]).Build().GetChildren()
            .Select(c => c.Key)
            .Where(key => !OverridableSections.Contains(key, StringComparer.OrdinalIgnoreCase))
            .ToList();
        if (strays.Count > 0)
        {
            throw new ArgumentException(
                $"the command line sets {string.Join(", ", strays.Select(k => $"'{k}'"))}, which is not a setting. Overrides look like --StreamAnalytics:Section:Key=value (or --Logging:…), and --config FILE picks the file.");
        }
    }
}
