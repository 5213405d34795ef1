namespace StreamAnalytics.Observability;

/// <summary>
/// At most N log lines per period for one source, across decoder restarts, so a camera that reconnects
/// every few seconds cannot flood the log. Suppressed lines are counted and reported once.
/// </summary>
internal sealed class LogRateLimiter(int linesPerPeriod, TimeSpan period, TimeProvider time)
{
    private readonly Lock _gate = new();
    private long _periodStart = time.GetTimestamp();
    private int _lines;
    private int _suppressed;

    /// <summary>Whether this line may be logged; <paramref name="suppressedBefore"/> is what an ended period suppressed (report it).</summary>
    public bool TryAcquire(out int suppressedBefore)
    {
        lock (_gate)
        {
            suppressedBefore = 0;
            if (time.GetElapsedTime(_periodStart) >= period)
            {
                suppressedBefore = _suppressed;
                _periodStart = time.GetTimestamp();
                _lines = 0;
                _suppressed = 0;
            }

            if (++_lines <= linesPerPeriod)
            {
                return true;
            }

            _suppressed++;
            return false;
        }
    }

    /// <summary>Takes the count suppressed so far in this period (for a final report).</summary>
    public int TakeSuppressed()
    {
        lock (_gate)
        {
            var suppressed = _suppressed;
            _suppressed = 0;
            return suppressed;
        }
    }
}
