namespace StreamAnalytics.Configuration;

internal sealed class MetricsOptions
{
    public bool Enabled { get; set; } = true;

    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 9464;

    public string Path { get; set; } = "metrics/";
}
