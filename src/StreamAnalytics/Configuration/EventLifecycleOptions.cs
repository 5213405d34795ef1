namespace StreamAnalytics.Configuration;

/// <summary>
/// How windows above a threshold become one incident with <c>start</c>, <c>update</c> and <c>end</c>
/// messages that share an event id, instead of one message per window.
/// </summary>
internal sealed class EventLifecycleOptions
{
    /// <summary>An incident starts when this many of the last <see cref="EnterOf"/> windows are above the threshold.</summary>
    public int EnterWindows { get; set; } = 1;

    public int EnterOf { get; set; } = 1;

    /// <summary>An incident ends after this many windows in a row below the threshold.</summary>
    public int ExitWindows { get; set; } = 3;

    /// <summary>Capture time from the first window above the threshold before <c>start</c> is sent (filters blips).</summary>
    public double MinDurationSeconds { get; set; }

    /// <summary>While an incident lasts, an <c>update</c> (with the peak so far) at most this often; 0: every window.</summary>
    public double UpdateIntervalSeconds { get; set; } = 5;

    /// <summary>A copy with another <see cref="MinDurationSeconds"/>; every other setting, present or added later, as here.</summary>
    public EventLifecycleOptions WithMinDuration(double seconds)
    {
        var copy = (EventLifecycleOptions)MemberwiseClone();
        copy.MinDurationSeconds = seconds;
        return copy;
    }
}
