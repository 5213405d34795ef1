namespace StreamAnalytics.Publishing;

/// <summary>Every MQTT topic the service writes, from one configurable prefix.</summary>
internal sealed class TopicNames(string prefix)
{
    public string Prefix { get; } = prefix;

    /// <summary>Retained <c>online</c> while the service runs; <c>offline</c> on shutdown or, as last will, on a crash.</summary>
    public string Status => $"{Prefix}/status";

    public string Events(string cameraId) => $"{Prefix}/{cameraId}/events";

    /// <summary>Retained JSON: the camera's state, since when, and its last error.</summary>
    public string CameraStatus(string cameraId) => $"{Prefix}/{cameraId}/status";
}
