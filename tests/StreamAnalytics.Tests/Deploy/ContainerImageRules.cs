using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace StreamAnalytics.Tests.Deploy;

/// <summary>
/// What the runtime stage of our container images must hold (docs/deploy.md): every problem found, so a test
/// can show both that the shipped files pass and that a broken one is caught.
/// </summary>
internal static partial class ContainerImageRules
{
    public const string StateDirectory = "/var/lib/streamanalytics";
    public const string ConfigPath = "/etc/streamanalytics/config.json";

    /// <summary>The image's defaults that the service depends on, and their values.</summary>
    public static readonly IReadOnlyDictionary<string, string> RequiredEnvironment = new Dictionary<string, string>
    {
        ["StreamAnalytics__Pipeline__StateDirectory"] = StateDirectory,
        ["StreamAnalytics__Mqtt__Outbox__Directory"] = StateDirectory + "/outbox",
        ["StreamAnalytics__Http__Host"] = "0.0.0.0",
        ["MALLOC_ARENA_MAX"] = "2",
    };

    /// <summary>Checks the last stage, the one that runs.</summary>
    public static List<string> CheckRuntime(ContainerfileStage stage)
    {
        var problems = new List<string>();
        var user = stage.Arguments("USER").LastOrDefault();
        var uid = user?.Split(':')[0];
        if (uid is null || !int.TryParse(uid, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id == 0)
        {
            // A name cannot be checked by Kubernetes' runAsNonRoot, and root defeats the read-only root's purpose.
            problems.Add($"USER must be a numeric id other than 0 (got '{user ?? "none"}').");
        }

        if (!stage.Arguments("HEALTHCHECK").Any(h => h.Contains("http://127.0.0.1:9464/healthz", StringComparison.Ordinal)))
        {
            problems.Add("HEALTHCHECK must ask http://127.0.0.1:9464/healthz.");
        }

        if (!stage.Arguments("VOLUME").Any(v => Words(v).Contains(StateDirectory)))
        {
            problems.Add($"VOLUME must declare {StateDirectory}, the only place the service writes.");
        }

        if (!stage.Arguments("EXPOSE").Any(e => Words(e).Contains("9464")))
        {
            problems.Add("EXPOSE must name 9464.");
        }

        var entrypoint = stage.Arguments("ENTRYPOINT").LastOrDefault() is { } e ? JsonArray(e) : null;
        if (entrypoint is not ["dotnet", var dll] || !dll.EndsWith("/streamanalytics.dll", StringComparison.Ordinal))
        {
            problems.Add("ENTRYPOINT must be the JSON form [\"dotnet\", \".../streamanalytics.dll\"] (so SIGTERM reaches the process, not a shell).");
        }

        var command = stage.Arguments("CMD").LastOrDefault() is { } c ? JsonArray(c) : null;
        if (command is not ["--config", ConfigPath])
        {
            problems.Add($"CMD must be [\"--config\", \"{ConfigPath}\"], the mounted config file.");
        }

        var environment = Environment(stage);
        foreach (var (key, value) in RequiredEnvironment)
        {
            if (!environment.TryGetValue(key, out var actual) || actual != value)
            {
                problems.Add($"ENV {key} must be {value} (got '{actual ?? "unset"}').");
            }
        }

        foreach (var key in environment.Keys.Concat(stage.Arguments("ARG").Select(a => a.Split('=')[0])).Where(k => Secret().IsMatch(k)))
        {
            problems.Add($"{key} looks like a secret: give it at run time (a secret or -e), never in the image.");
        }

        return problems;
    }

    /// <summary>ENV in either form, <c>KEY=value …</c> or <c>KEY value</c>; later values win.</summary>
    public static Dictionary<string, string> Environment(ContainerfileStage stage)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var arguments in stage.Arguments("ENV"))
        {
            var words = Words(arguments);
            if (!words[0].Contains('=', StringComparison.Ordinal))
            {
                environment[words[0]] = string.Join(' ', words.Skip(1));
                continue;
            }

            foreach (var word in words)
            {
                var equals = word.IndexOf('=', StringComparison.Ordinal);
                environment[word[..equals]] = word[(equals + 1)..].Trim('"');
            }
        }

        return environment;
    }

    private static string[] JsonArray(string arguments)
    {
        try
        {
            return JsonSerializer.Deserialize<string[]>(arguments) ?? [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    private static string[] Words(string text) =>
        text.Replace("[", " ", StringComparison.Ordinal).Replace("]", " ", StringComparison.Ordinal).Replace(",", " ", StringComparison.Ordinal)
            .Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(w => w.Trim('"'))
            .ToArray();

    [GeneratedRegex("token|password|secret", RegexOptions.IgnoreCase)]
    private static partial Regex Secret();
}
