namespace StreamAnalytics.Buffers;

/// <summary>
/// The reference count of a pooled buffer shared across threads (a frame slot held by several windows, a
/// snapshot held by a window, its result and incidents). Keep it in a mutable field and call it in place.
/// </summary>
internal struct ReferenceCount
{
    private int _count;

    public int Value => Volatile.Read(ref _count);

    /// <summary>A buffer just rented has one reference: its renter's.</summary>
    public void Reset() => Volatile.Write(ref _count, 1);

    public void Add() => Interlocked.Increment(ref _count);

    /// <summary>Drops one reference; true when it was the last, and the caller then returns the buffer to its pool.</summary>
    /// <exception cref="InvalidOperationException">Released more times than referenced: a double release would hand one buffer to two owners.</exception>
    public bool Release(string what)
    {
        var left = Interlocked.Decrement(ref _count);
        return left switch
        {
            0 => true,
            < 0 => throw new InvalidOperationException($"{what} released more times than referenced."),
            _ => false,
        };
    }
}
