namespace StreamAnalytics.Retry;

/// <summary>
/// Exponential backoff with full jitter: many cameras behind one failed switch do not all reconnect
/// in the same second.
/// </summary>
internal sealed class ReconnectBackoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private readonly Random _random;
    private int _attempt;

    public ReconnectBackoff(TimeSpan initial, TimeSpan max, Random? random = null)
    {
        if (initial <= TimeSpan.Zero || max < initial)
        {
            throw new ArgumentOutOfRangeException(nameof(initial), "Need 0 < initial <= max.");
        }

        _initial = initial;
        _max = max;
        _random = random ?? Random.Shared;
    }

    public int Attempt => _attempt;

    /// <summary>The delay before the next attempt: uniform in [ceiling/2, ceiling], ceiling = min(max, initial·2^attempt).</summary>
    public TimeSpan Next()
    {
        var exponent = Math.Min(_attempt, 30);
        var ceiling = Math.Min(_max.TotalMilliseconds, _initial.TotalMilliseconds * Math.Pow(2, exponent));
        _attempt++;
        var jittered = ceiling / 2 + (_random.NextDouble() * ceiling / 2);
        return TimeSpan.FromMilliseconds(jittered);
    }

    public void Reset() => _attempt = 0;
}
