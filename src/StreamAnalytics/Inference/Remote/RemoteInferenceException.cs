namespace StreamAnalytics.Inference.Remote;

/// <summary>A call to the remote inference endpoint that did not give usable outputs.</summary>
/// <param name="retryable">False when asking again cannot help (the endpoint serves another model): no retries within the batch.</param>
internal sealed class RemoteInferenceException(string message, bool retryable, Exception? inner = null) : Exception(message, inner)
{
    public bool Retryable { get; } = retryable;
}
