namespace StreamAnalytics.Configuration;

public sealed class ReconnectOptions
{
    public double InitialDelaySeconds { get; set; } = 1;

    public double MaxDelaySeconds { get; set; } = 30;

    /// <summary>A session that delivered frames this long resets the backoff to its initial delay.</summary>
    public double HealthyAfterSeconds { get; set; } = 30;

    /// <summary>No frame for this long kills the decoder and reconnects (ffmpeg alone does not notice a stalled server).</summary>
    public double WatchdogSeconds { get; set; } = 10;

    /// <summary>How long opening a stream (probe included) may take before it counts as failed.</summary>
    public double OpenTimeoutSeconds { get; set; } = 15;
}
