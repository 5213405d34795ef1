namespace StreamAnalytics.Configuration;

/// <summary>Prometheus metrics, served on the HTTP port (<see cref="HttpOptions"/>).</summary>
internal sealed class MetricsOptions
{
    public bool Enabled { get; set; } = true;

    public string Path { get; set; } = "/metrics";
}
