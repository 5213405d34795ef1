namespace StreamAnalytics.Configuration.Validation;

/// <summary>The Metrics section; its endpoint settings matter only when it is enabled.</summary>
internal sealed class MetricsValidator : IOptionsSectionValidator
{
    public void Validate(StreamAnalyticsOptions options, ICollection<string> errors)
    {
        var metrics = options.Metrics;
        if (!metrics.Enabled)
        {
            return;
        }

        if (metrics.Port is < 1 or > 65535)
        {
            errors.Add($"Metrics.Port must be between 1 and 65535 (got {metrics.Port}).");
        }

        if (string.IsNullOrWhiteSpace(metrics.Host))
        {
            errors.Add("Metrics.Host is required.");
        }
    }
}
