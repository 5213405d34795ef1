namespace StreamAnalytics.Configuration;

internal sealed class ReconnectOptions
{
    public double InitialDelaySeconds { get; set; } = 1;

    public double MaxDelaySeconds { get; set; } = 30;

    /// <summary>A session that delivered frames this long resets the backoff to its initial delay.</summary>
    public double HealthyAfterSeconds { get; set; } = 30;

    /// <summary>
    /// No frame for this long kills the decoder and reconnects (ffmpeg alone does not notice a stalled server).
    /// Unset: four expected frame intervals, at least 5 s (10 s while the frame rate is unknown). Either way the
    /// limit stretches to four times the intervals actually observed, so a low-fps camera is never killed for being slow.
    /// </summary>
    public double? WatchdogSeconds { get; set; }

    /// <summary>A camera that has not delivered frames for this long is reported <c>offline</c> (it is still retried).</summary>
    public double OfflineAfterSeconds { get; set; } = 60;

    /// <summary>How long opening a stream (probe included) may take before it counts as failed.</summary>
    public double OpenTimeoutSeconds { get; set; } = 15;
}
