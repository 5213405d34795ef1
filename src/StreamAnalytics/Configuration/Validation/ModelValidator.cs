namespace StreamAnalytics.Configuration.Validation;

/// <summary>
/// The Model section, as far as it can be judged without reading the manifest: whether the manifest fits the
/// cameras' windows is checked at start, once it is loaded.
/// </summary>
internal sealed class ModelValidator : IOptionsSectionValidator
{
    public void Validate(StreamAnalyticsOptions options, ICollection<string> errors)
    {
        var model = options.Model;
        if (string.IsNullOrWhiteSpace(model.Manifest))
        {
            errors.Add("Model.Manifest is required.");
        }

        if (model.ExecutionProvider == "tensorrt" && string.IsNullOrWhiteSpace(model.TensorRtCacheDirectory))
        {
            errors.Add("Model.TensorRtCacheDirectory is required with the tensorrt provider (where built engines are kept).");
        }

        if (model.ExecutionProvider is not ("cpu" or "cuda" or "tensorrt"))
        {
            errors.Add($"Model.ExecutionProvider must be 'cpu', 'cuda' or 'tensorrt' (got '{model.ExecutionProvider}').");
        }

        if (model.Precision is not ("auto" or "fp32"))
        {
            errors.Add($"Model.Precision must be 'auto' (the manifest's INT8 variant on CPU, FP16 on a GPU) or 'fp32' (got '{model.Precision}').");
        }

        if (model.MaxBatch is < 1 or > 256)
        {
            errors.Add($"Model.MaxBatch must be between 1 and 256 (got {model.MaxBatch}).");
        }

        if (model.MaxBatchWaitMilliseconds is < 0 or > 10_000)
        {
            errors.Add($"Model.MaxBatchWaitMilliseconds must be between 0 and 10000 (got {model.MaxBatchWaitMilliseconds}).");
        }

        if (model.QueueCapacity is < 1 or > 4096)
        {
            errors.Add($"Model.QueueCapacity must be between 1 and 4096 (got {model.QueueCapacity}).");
        }

        if (model.IntraOpThreads < 0 || model.DeviceId < 0)
        {
            errors.Add("Model.IntraOpThreads and Model.DeviceId must not be negative.");
        }

        ValidateRemote(model.Remote, errors);
    }

    /// <summary>Only when an endpoint is set: the other keys of the section mean nothing without one.</summary>
    private static void ValidateRemote(RemoteModelOptions remote, ICollection<string> errors)
    {
        if (!remote.Enabled)
        {
            return;
        }

        if (!Uri.TryCreate(remote.Endpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https") || string.IsNullOrEmpty(endpoint.Host))
        {
            errors.Add($"Model.Remote.Endpoint must be an http:// or https:// URL of a KServe v2 gRPC endpoint, such as http://triton:8001 (got '{CredentialRedactor.Redact(remote.Endpoint!)}').");
        }
        else if (!string.IsNullOrEmpty(endpoint.UserInfo))
        {
            errors.Add("Model.Remote.Endpoint must not carry credentials in the URL.");
        }

        if (string.IsNullOrWhiteSpace(remote.ModelName))
        {
            errors.Add("Model.Remote.ModelName is required with Model.Remote.Endpoint (the model's name on the server; for Triton, its folder in the model repository).");
        }

        if (remote.TimeoutSeconds is <= 0 or > 600 || double.IsNaN(remote.TimeoutSeconds))
        {
            errors.Add($"Model.Remote.TimeoutSeconds must be above 0 and at most 600 (got {remote.TimeoutSeconds}).");
        }

        if (remote.Retries is < 0 or > 10)
        {
            errors.Add($"Model.Remote.Retries must be between 0 and 10 (got {remote.Retries}).");
        }

        if (remote.RetryInitialDelayMilliseconds is < 1 or > 60_000 || double.IsNaN(remote.RetryInitialDelayMilliseconds))
        {
            errors.Add($"Model.Remote.RetryInitialDelayMilliseconds must be between 1 and 60000 (got {remote.RetryInitialDelayMilliseconds}).");
        }
        else if (remote.RetryMaxDelayMilliseconds < remote.RetryInitialDelayMilliseconds || remote.RetryMaxDelayMilliseconds > 600_000 || double.IsNaN(remote.RetryMaxDelayMilliseconds))
        {
            errors.Add($"Model.Remote.RetryMaxDelayMilliseconds must be at least RetryInitialDelayMilliseconds ({remote.RetryInitialDelayMilliseconds}) and at most 600000 (got {remote.RetryMaxDelayMilliseconds}).");
        }
    }
}
