namespace StreamAnalytics.Configuration;

internal sealed class PipelineOptions
{
    /// <summary>On shutdown, how long queued frames, windows and events may take to drain and publish.</summary>
    public double DrainTimeoutSeconds { get; set; } = 20;

    /// <summary>Log one progress line per camera this often (frames, windows, events); 0 turns it off.</summary>
    public double ProgressLogSeconds { get; set; } = 30;
}
