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
    }
}
