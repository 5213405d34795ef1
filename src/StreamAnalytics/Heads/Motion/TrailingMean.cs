namespace StreamAnalytics.Heads.Motion;

/// <summary>
/// Causal moving average over the last N values. The sum is recomputed from the ring on each call
/// (N is small) so long streams never accumulate floating-point drift and a value depends only on the
/// last N inputs: live and offline agree exactly on the same frames.
/// </summary>
internal sealed class TrailingMean
{
    private readonly double[] _ring;
    private int _count;
    private int _next;

    public TrailingMean(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        _ring = new double[length];
    }

    public int Length => _ring.Length;

    public double Add(double value)
    {
        _ring[_next] = value;
        _next = (_next + 1) % _ring.Length;
        if (_count < _ring.Length)
        {
            _count++;
        }

        // Oldest first, so the summation order is fixed however the ring is rotated.
        var sum = 0.0;
        var start = (_next - _count + _ring.Length) % _ring.Length;
        for (var i = 0; i < _count; i++)
        {
            sum += _ring[(start + i) % _ring.Length];
        }

        return sum / _count;
    }

    public void Reset()
    {
        _count = 0;
        _next = 0;
    }
}
