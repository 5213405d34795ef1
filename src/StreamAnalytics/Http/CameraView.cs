namespace StreamAnalytics.Http;

/// <summary>A camera as <c>GET /api/v1/cameras</c> shows it. <see cref="Url"/> has its credentials masked.</summary>
/// <param name="Source"><c>config</c> (the configuration file: change it there) or <c>api</c> (added through the API).</param>
/// <param name="State">connecting, online, stalled, reconnecting, offline, stopped, disabled (Enabled is false), or elsewhere (another shard runs it).</param>
/// <param name="Shard">The ordinal of the process that runs it (0 when the deployment is not sharded).</param>
/// <param name="LearningProgress">0 to 1 while a head learns what is normal for this camera, 1 once learned; null before it has seen any window.</param>
internal sealed record CameraView(
    string Id,
    string Source,
    bool Enabled,
    string State,
    DateTimeOffset? Since,
    double Fps,
    long Frames,
    string? LastError,
    double? LearningProgress,
    string Url,
    int Shard);
