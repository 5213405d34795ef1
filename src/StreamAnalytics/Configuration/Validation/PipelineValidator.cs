namespace StreamAnalytics.Configuration.Validation;

/// <summary>The Pipeline section: how the running pipeline shuts down, and where it keeps its state.</summary>
internal sealed class PipelineValidator : IOptionsSectionValidator
{
    public void Validate(StreamAnalyticsOptions options, ICollection<string> errors)
    {
        if (options.Pipeline.DrainTimeoutSeconds is < 0 or > 600)
        {
            errors.Add($"Pipeline.DrainTimeoutSeconds must be between 0 and 600 (got {options.Pipeline.DrainTimeoutSeconds}).");
        }

        if (options.Pipeline.DecodeSize is not (PipelineOptions.DecodeAtNeededSize or PipelineOptions.DecodeAtSourceSize or PipelineOptions.DecodeAtModelSize))
        {
            errors.Add($"Pipeline.DecodeSize must be 'auto', 'source' or 'model' (got '{options.Pipeline.DecodeSize}').");
        }

        if (string.IsNullOrWhiteSpace(options.Pipeline.StateDirectory))
        {
            errors.Add("Pipeline.StateDirectory is required (a folder the service may write, e.g. 'state').");
        }
    }
}
