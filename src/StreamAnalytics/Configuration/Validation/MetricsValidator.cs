namespace StreamAnalytics.Configuration.Validation;

/// <summary>The Metrics section: where on the HTTP port the scrape endpoint is.</summary>
internal sealed class MetricsValidator : IOptionsSectionValidator
{
    public void Validate(StreamAnalyticsOptions options, ICollection<string> errors)
    {
        var metrics = options.Metrics;
        if (!metrics.Enabled)
        {
            return;
        }

        if (!options.Http.Enabled)
        {
            errors.Add("Metrics are served on the HTTP port: set Http.Enabled to true, or Metrics.Enabled to false.");
        }

        if (string.IsNullOrWhiteSpace(metrics.Path) || !metrics.Path.StartsWith('/') || metrics.Path.StartsWith("/api", StringComparison.OrdinalIgnoreCase) || metrics.Path.TrimEnd('/').Length == 0)
        {
            errors.Add($"Metrics.Path must start with '/', name a path of its own and not be under /api (got '{metrics.Path}').");
        }
    }
}
