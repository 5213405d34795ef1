using System.Text.Json;

namespace StreamAnalytics.MotionSweep;

/// <summary>The report's JSON settings (one instance, as the analyzers ask).</summary>
internal static class SweepJson
{
    public static JsonSerializerOptions Options { get; } = new() { WriteIndented = true };
}
