using System.Text.RegularExpressions;

namespace StreamAnalytics.Configuration;

/// <summary>
/// What a camera id may be. The id ends up in MQTT topics, metric labels and file names, so every place
/// that accepts one (the configuration, the offline commands) must apply this same rule.
/// </summary>
internal static partial class CameraIdRule
{
    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool IsValid(string id) => Pattern().IsMatch(id);
}
