using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using StreamAnalytics.Tools.Actions;
using StreamAnalytics.Tools.Anomaly;

namespace StreamAnalytics.Tools;

/// <summary>The JSON the offline tools write, serialized by generated code: no reflection, and the keys are the records' names in camelCase.</summary>
[JsonSourceGenerationOptions(WriteIndented = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(AnomalyEvalReport))]
[JsonSerializable(typeof(AnomalyReplayReport))]
[JsonSerializable(typeof(ActionEvalReport))]
[JsonSerializable(typeof(ClipFeaturesDescription))]
internal sealed partial class ToolReportJsonContext : JsonSerializerContext
{
    /// <summary>
    /// Leaves non-ASCII and HTML-sensitive characters of paths and camera ids as they are: the anomaly report
    /// has always been written so, for reading, and is never embedded in HTML.
    /// </summary>
    public static ToolReportJsonContext Unescaped { get; } = new(new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
