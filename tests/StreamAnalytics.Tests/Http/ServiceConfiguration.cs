namespace StreamAnalytics.Tests.Http;

/// <summary>A whole configuration file for the executable: short windows and a zero threshold, so incidents come within seconds.</summary>
internal static class ServiceConfiguration
{
    public static Dictionary<string, object> Camera(string id, string url, params (string Key, object Value)[] more)
    {
        var camera = new Dictionary<string, object> { ["Id"] = id, ["Url"] = url, ["Width"] = 320, ["Height"] = 240, ["Loop"] = true };
        foreach (var (key, value) in more)
        {
            camera[key] = value;
        }

        return camera;
    }

    /// <param name="mqtt">Replaces the embedded broker on <paramref name="mqttPort"/> (an external broker, say).</param>
    public static object For(string folder, int httpPort, int mqttPort, IEnumerable<object> cameras, object? http = null, object? mqtt = null, object? sharding = null, string decodeSize = "source") => new
    {
        StreamAnalytics = new
        {
            Cameras = cameras.ToArray(),
            Window = new { Length = 4, Subsample = 1, Hop = 2 },
            Model = new { Manifest = Path.Combine(AppContext.BaseDirectory, "models", "resnet18", "model.json"), ExecutionProvider = "cpu", IntraOpThreads = 1 },
            Detection = new { Anomaly = new { CalibrationWindows = 2, Threshold = 0, CooldownSeconds = 0 } },
            Mqtt = mqtt ?? new { EmbeddedBroker = true, Host = "127.0.0.1", Port = mqttPort, Outbox = new { Directory = Path.Combine(folder, "outbox") } },
            Http = http ?? new { Port = httpPort },
            Pipeline = new { StateDirectory = Path.Combine(folder, "state"), ProgressLogSeconds = 0, DecodeSize = decodeSize },
            Sharding = sharding ?? new { Count = 1 },
        },
    };
}
