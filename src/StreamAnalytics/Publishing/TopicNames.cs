namespace StreamAnalytics.Publishing;

/// <summary>Every MQTT topic the service writes, from one configurable prefix.</summary>
/// <param name="shard">In a sharded deployment, this process's name among the others (<c>shard-2</c>): each process then has a status topic of its own.</param>
internal sealed class TopicNames(string prefix, string? shard = null)
{
    public string Prefix { get; } = prefix;

    /// <summary>
    /// Retained <c>online</c> while the service runs; <c>offline</c> on shutdown or, as last will, on a crash. Sharded,
    /// <c>&lt;prefix&gt;/status/shard-N</c>: one process going away must not mark the others offline.
    /// </summary>
    public string Status => shard is null ? $"{Prefix}/status" : $"{Prefix}/status/{shard}";

    public string Events(string cameraId) => $"{Prefix}/{cameraId}/events";

    /// <summary>Retained JSON: the camera's state, since when, and its last error.</summary>
    public string CameraStatus(string cameraId) => $"{Prefix}/{cameraId}/status";
}
