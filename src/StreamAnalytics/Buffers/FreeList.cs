namespace StreamAnalytics.Buffers;

/// <summary>
/// The free items of one pool: it grows to what is in flight, then allocates nothing. Safe across threads
/// (items are rented on one stage's thread and returned on another's).
/// </summary>
internal sealed class FreeList<T>(int capacity, Func<T> create)
    where T : class
{
    private readonly Stack<T> _free = new(capacity);
    private readonly Lock _gate = new();
    private int _created;

    /// <summary>Items created so far (a steady state stops this growing).</summary>
    public int Created => Volatile.Read(ref _created);

    public T Rent()
    {
        T? item;
        lock (_gate)
        {
            _free.TryPop(out item);
        }

        if (item is null)
        {
            Interlocked.Increment(ref _created);
            item = create();
        }

        return item;
    }

    public void Return(T item)
    {
        lock (_gate)
        {
            _free.Push(item);
        }
    }

    /// <summary>Takes every free item out (a pool being disposed frees their native parts).</summary>
    public void Drain(Action<T> each)
    {
        lock (_gate)
        {
            while (_free.TryPop(out var item))
            {
                each(item);
            }
        }
    }
}
