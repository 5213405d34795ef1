using System.Threading.Channels;

namespace StreamAnalytics.Inference;

/// <summary>
/// Gathers items from all cameras into one batch: it dispatches when the batch's weight reaches its
/// maximum, or when the first item has waited <c>maxWait</c>, whichever comes first. A lone camera
/// therefore never waits longer than <c>maxWait</c>, and many cameras fill whole batches.
/// </summary>
internal sealed class BatchCollector<T>
{
    private readonly ChannelReader<T> _source;
    private readonly int _maxWeight;
    private readonly TimeSpan _maxWait;
    private readonly TimeProvider _time;
    private readonly Func<T, IReadOnlyList<T>, int> _weigh;

    /// <param name="weigh">The cost of adding an item to the batch so far (for a per-frame encoder: its frames not yet encoded or counted).</param>
    public BatchCollector(ChannelReader<T> source, int maxWeight, TimeSpan maxWait, TimeProvider time, Func<T, IReadOnlyList<T>, int> weigh)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWait, TimeSpan.Zero);
        _source = source;
        _maxWeight = maxWeight;
        _maxWait = maxWait;
        _time = time;
        _weigh = weigh;
    }

    /// <summary>Fills <paramref name="batch"/>; false once the source is completed and empty.</summary>
    public async ValueTask<bool> NextAsync(List<T> batch, CancellationToken cancellationToken)
    {
        batch.Clear();
        if (!await _source.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return false;
        }

        var started = _time.GetTimestamp();
        var weight = 0;
        while (true)
        {
            while (weight < _maxWeight && _source.TryRead(out var item))
            {
                weight += _weigh(item, batch);
                batch.Add(item);
            }

            if (weight >= _maxWeight || batch.Count == 0)
            {
                return batch.Count > 0 || await NextAsync(batch, cancellationToken).ConfigureAwait(false);
            }

            var remaining = _maxWait - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                return true;
            }

            using var waitEnd = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var more = _source.WaitToReadAsync(waitEnd.Token).AsTask();
            var deadline = Task.Delay(remaining, _time, waitEnd.Token);
            var first = await Task.WhenAny(more, deadline).ConfigureAwait(false);
            await waitEnd.CancelAsync().ConfigureAwait(false);
            cancellationToken.ThrowIfCancellationRequested();
            if (first == deadline || !await IgnoreCancellationAsync(more).ConfigureAwait(false))
            {
                // Waited long enough, or the source completed: run what there is.
                while (weight < _maxWeight && _source.TryRead(out var late))
                {
                    weight += _weigh(late, batch);
                    batch.Add(late);
                }

                return true;
            }
        }
    }

    private static async Task<bool> IgnoreCancellationAsync(Task<bool> wait)
    {
        try
        {
            return await wait.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }
}
