using System.Globalization;

namespace StreamAnalytics.Tests.Integration;

/// <summary>Test configurations: short windows and a zero threshold so events flow within seconds.</summary>
internal static class PipelineSettings
{
    public static Dictionary<string, string?> Base(int mqttPort, bool embeddedBroker) => new()
    {
        ["StreamAnalytics:Window:Length"] = "4",
        ["StreamAnalytics:Window:Subsample"] = "1",
        ["StreamAnalytics:Window:Hop"] = "2",
        ["StreamAnalytics:Model:Manifest"] = Path.Combine(AppContext.BaseDirectory, "models", "resnet18", "model.json"),
        ["StreamAnalytics:Model:ExecutionProvider"] = "cpu",
        ["StreamAnalytics:Model:IntraOpThreads"] = "1",
        ["StreamAnalytics:Detection:Anomaly:CalibrationWindows"] = "2",
        ["StreamAnalytics:Detection:Anomaly:Threshold"] = "0",
        ["StreamAnalytics:Detection:Anomaly:CooldownSeconds"] = "0",
        // A message for every window: start, then an update per window while it stays above the threshold.
        ["StreamAnalytics:Detection:Lifecycle:UpdateIntervalSeconds"] = "0",
        ["StreamAnalytics:Mqtt:EmbeddedBroker"] = embeddedBroker ? "true" : "false",
        ["StreamAnalytics:Mqtt:Host"] = "127.0.0.1",
        ["StreamAnalytics:Mqtt:Port"] = mqttPort.ToString(CultureInfo.InvariantCulture),
        ["StreamAnalytics:Mqtt:ClientId"] = "sa-test-" + Guid.NewGuid().ToString("N")[..8],
        ["StreamAnalytics:Mqtt:TopicPrefix"] = "satest",
        ["StreamAnalytics:Mqtt:Outbox:Directory"] = Directory.CreateTempSubdirectory("sa-outbox-").FullName,
        // Cameras added through the API are saved here: never in the test folder, where every later test would start them.
        ["StreamAnalytics:Pipeline:StateDirectory"] = Directory.CreateTempSubdirectory("sa-state-").FullName,
        ["StreamAnalytics:Mqtt:ReconnectInitialDelaySeconds"] = "0.2",
        ["StreamAnalytics:Mqtt:ReconnectMaxDelaySeconds"] = "1",
    };

    public static void AddCamera(Dictionary<string, string?> settings, int index, string id, string url, int width = 320, int height = 240)
    {
        var prefix = $"StreamAnalytics:Cameras:{index}:";
        settings[prefix + "Id"] = id;
        settings[prefix + "Url"] = url;
        settings[prefix + "Width"] = width.ToString(CultureInfo.InvariantCulture);
        settings[prefix + "Height"] = height.ToString(CultureInfo.InvariantCulture);
        settings[prefix + "Reconnect:InitialDelaySeconds"] = "0.5";
        settings[prefix + "Reconnect:MaxDelaySeconds"] = "2";
    }

    /// <summary>The value of a Prometheus sample line such as <c>name{camera="a"} 12</c>; 0 when absent.</summary>
    public static double Sample(string metrics, string nameWithLabels)
    {
        foreach (var line in metrics.Split('\n'))
        {
            if (line.StartsWith(nameWithLabels + " ", StringComparison.Ordinal))
            {
                return double.Parse(line[(nameWithLabels.Length + 1)..], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
