namespace StreamAnalytics.Heads.Appearance;

/// <summary>
/// A bounded sample of windows that keeps what it has been offered covered: once full, each window offered joins it
/// and the window nearest to another one in it leaves (ties: the older). A uniform sample of a change on a scene that
/// repeats (a street, a loop) leaves some of its moments with no window near them; learned as the normal set, those
/// moments then alerted in short bursts, cell by cell at scores up to 6.6 against a margin of 2 (LastingChangeFootageTests). Each
/// offer costs one distance per window held, and the nearest of those that had the leaving one as theirs. The
/// detector's refresh uses the same rule on a whole batch (<see cref="Add"/>, then <see cref="TrimTo"/>).
/// </summary>
internal sealed class CoveringSample(int capacity, IWindowMetric metric)
{
    private readonly List<float[]> _windows = new(capacity + 1);
    private readonly List<(double Distance, int Index)> _nearest = new(capacity + 1);

    public IReadOnlyList<float[]> Windows => _windows;

    public int Count => _windows.Count;

    public void Clear()
    {
        _windows.Clear();
        _nearest.Clear();
    }

    /// <summary>Keeps <paramref name="window"/> (the sample owns it from now on) and returns the window that left, which no one holds any more; null while it fills.</summary>
    public float[]? Offer(float[] window)
    {
        Add(window);
        return _windows.Count > capacity ? RemoveNearest() : null;
    }

    /// <summary>Lets go of windows, one at a time the one nearest to another (ties: the older), until <paramref name="count"/> are left.</summary>
    public void TrimTo(int count)
    {
        while (_windows.Count > count)
        {
            RemoveNearest();
        }
    }

    /// <summary>Keeps <paramref name="window"/> without letting any go, beyond the capacity if need be.</summary>
    public void Add(float[] window)
    {
        var mine = (Distance: double.MaxValue, Index: -1);
        for (var i = 0; i < _windows.Count; i++)
        {
            var distance = metric.Distance(window, _windows[i]);
            if (distance < _nearest[i].Distance)
            {
                _nearest[i] = (distance, _windows.Count);
            }

            if (distance < mine.Distance)
            {
                mine = (distance, i);
            }
        }

        _windows.Add(window);
        _nearest.Add(mine);
    }

    private float[] RemoveNearest()
    {
        var leaving = 0;
        for (var i = 1; i < _nearest.Count; i++)
        {
            if (_nearest[i].Distance < _nearest[leaving].Distance)
            {
                leaving = i;
            }
        }

        var left = _windows[leaving];
        _windows.RemoveAt(leaving);
        _nearest.RemoveAt(leaving);
        for (var i = 0; i < _nearest.Count; i++)
        {
            var (distance, index) = _nearest[i];
            if (index == leaving)
            {
                _nearest[i] = NearestTo(i);
            }
            else if (index > leaving)
            {
                _nearest[i] = (distance, index - 1);
            }
        }

        return left;
    }

    private (double Distance, int Index) NearestTo(int of)
    {
        var best = (Distance: double.MaxValue, Index: -1);
        for (var j = 0; j < _windows.Count; j++)
        {
            if (j != of)
            {
                var distance = metric.Distance(_windows[of], _windows[j]);
                if (distance < best.Distance)
                {
                    best = (distance, j);
                }
            }
        }

        return best;
    }
}
