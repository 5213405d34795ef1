namespace StreamAnalytics.Configuration;

/// <summary>
/// <c>Model.Remote</c>: run the model on a KServe v2 / Triton gRPC endpoint instead of in this process. The
/// manifest and its ONNX file are still loaded: the manifest describes what the endpoint must serve, the heads
/// bind to its outputs, and <see cref="FallbackToLocal"/> runs it while the endpoint is away.
/// </summary>
internal sealed class RemoteModelOptions
{
    /// <summary>The gRPC endpoint, e.g. <c>http://triton:8001</c> (<c>https://</c> for TLS). Unset or empty: run locally.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The model's name on the server (Triton: its folder in the model repository).</summary>
    public string? ModelName { get; set; }

    /// <summary>The model version to call; unset: the server's choice (Triton: its version policy).</summary>
    public string? ModelVersion { get; set; }

    /// <summary>How long one call (metadata or inference) may take before it counts as failed.</summary>
    public double TimeoutSeconds { get; set; } = 5;

    /// <summary>Further attempts for a batch whose call failed, after a backoff each; then the batch is dropped (or run locally).</summary>
    public int Retries { get; set; } = 2;

    /// <summary>The first retry's delay; each next one doubles, with jitter, up to <see cref="RetryMaxDelayMilliseconds"/>.</summary>
    public double RetryInitialDelayMilliseconds { get; set; } = 100;

    public double RetryMaxDelayMilliseconds { get; set; } = 2000;

    /// <summary>
    /// While the endpoint fails, run the batches on the local ONNX model instead of dropping them; the endpoint is
    /// tried again after a backoff (up to <see cref="RetryMaxDelayMilliseconds"/>), and used again once it answers.
    /// </summary>
    public bool FallbackToLocal { get; set; }

    public bool Enabled => !string.IsNullOrWhiteSpace(Endpoint);
}
