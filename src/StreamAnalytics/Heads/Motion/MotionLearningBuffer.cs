namespace StreamAnalytics.Heads.Motion;

/// <summary>
/// A camera's motion frames kept for learning, in a fixed block of memory allocated once. While the camera learns
/// (<see cref="Collect"/>), frames are kept evenly over all the footage: when the block is full every second one is
/// dropped and only every second one offered after that is kept, so no stretch of time is lost as a whole. Once it
/// scores (<see cref="Sample"/>), quiet frames enter as a uniform reservoir sample of everything offered so far.
/// Each frame carries the hold-out block it came from (a stretch of capture time), so the threshold is set on
/// footage held out in blocks. One writer: the camera's windowing task.
/// </summary>
internal sealed class MotionLearningBuffer
{
    private const long SeedBlocks = long.MinValue / 2;

    private readonly float[] _data;
    private readonly long[] _blocks;
    private readonly Random _random;
    private long _stride = 1;
    private int _count;
    private long _offered;

    public MotionLearningBuffer(int featureLength, int capacity, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(featureLength, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 2);
        FeatureLength = featureLength;
        Capacity = capacity;
        _data = new float[(long)featureLength * capacity];
        _blocks = new long[capacity];
        _random = new Random(seed);
    }

    public int FeatureLength { get; }

    public int Capacity { get; }

    /// <summary>Frames held now.</summary>
    public int Count => _count;

    /// <summary>Frames offered since learning began (seeded ones included), held or not.</summary>
    public long Offered => _offered;

    /// <summary>Frames that entered since the last <see cref="Snapshot"/>: a refresh without them would learn nothing new.</summary>
    public long ChangedSinceSnapshot { get; private set; }

    /// <summary>While learning: keeps every <c>stride</c>-th frame offered, halving what it holds whenever it is full.</summary>
    public void Collect(ReadOnlySpan<float> features, long block)
    {
        if (_offered++ % _stride != 0)
        {
            return;
        }

        if (_count == Capacity)
        {
            for (var i = 0; i < Capacity / 2; i++)
            {
                Move(2 * i, i);
            }

            _count = Capacity / 2;
            _stride *= 2;
            if ((_offered - 1) % _stride != 0)
            {
                return;
            }
        }

        Write(_count++, features, block);
    }

    /// <summary>Afterwards: a quiet frame replaces a random one with the probability that keeps the sample uniform over all frames offered.</summary>
    public void Sample(ReadOnlySpan<float> features, long block)
    {
        _offered++;
        if (_count < Capacity)
        {
            Write(_count++, features, block);
            return;
        }

        var slot = _random.NextInt64(_offered);
        if (slot < Capacity)
        {
            Write((int)slot, features, block);
        }
    }

    /// <summary>Holds nothing and has been offered nothing: a new uniform sample starts.</summary>
    public void Clear()
    {
        _count = 0;
        _offered = 0;
        _stride = 1;
    }

    /// <summary>
    /// Takes in <paramref name="change"/>'s frames (a change that lasted): into free room first, then over distinct
    /// random frames, so that they make up at most half of what is held. The frames keep their hold-out blocks.
    /// </summary>
    /// <returns>The frames taken in.</returns>
    public int Absorb(MotionLearningBuffer change)
    {
        ArgumentNullException.ThrowIfNull(change);
        if (change.FeatureLength != FeatureLength)
        {
            throw new ArgumentException($"The change holds {change.FeatureLength} features a frame; this buffer {FeatureLength}.", nameof(change));
        }

        // At most as many as are held (filling free room keeps them half), and at most half the capacity (once over it, the old frames they replace keep the other half).
        var taking = Math.Min(change._count, Math.Min(_count, Capacity / 2));
        var free = Math.Min(taking, Capacity - _count);
        var over = Shuffled(_count);
        for (var i = 0; i < taking; i++)
        {
            // Evenly through the change's sample, which is in no particular order already (a reservoir).
            var from = (int)((long)i * change._count / taking);
            var slot = i < free ? _count + i : over[i - free];
            Write(slot, change._data.AsSpan(from * FeatureLength, FeatureLength), change._blocks[from]);
        }

        _count += free;
        return taking;
    }

    /// <summary>Starts from a learned model's frames (a restart, or an offline seed): unscaled back to raw features, in blocks of <paramref name="blockFrames"/>.</summary>
    public void Seed(MotionNormalityModel model, int blockFrames)
    {
        if (model.FeatureOptions.FeatureLength != FeatureLength)
        {
            throw new ArgumentException($"The model holds {model.FeatureOptions.FeatureLength} features a frame; this buffer {FeatureLength}.", nameof(model));
        }

        var perCell = model.FeatureOptions.FeaturesPerCell;
        var cells = model.FeatureOptions.CellCount;
        var frames = model.Frames;
        var kept = Math.Min(frames, Capacity);
        var vectors = model.Vectors;
        var scales = model.Scales;
        _count = 0;
        for (var k = 0; k < kept; k++)
        {
            var source = (int)((long)k * frames / kept);
            var target = _data.AsSpan(k * FeatureLength, FeatureLength);
            for (var cell = 0; cell < cells; cell++)
            {
                for (var d = 0; d < perCell; d++)
                {
                    target[(cell * perCell) + d] = vectors[(((long)cell * perCell) + d) * frames + source] / scales[d];
                }
            }

            // Far below any capture-time block (milliseconds since 1970 over the block length), in the model's order.
            _blocks[k] = SeedBlocks + (source / Math.Max(1, blockFrames));
            _count++;
        }

        _offered = Math.Max(kept, model.TrainingFrames);
        ChangedSinceSnapshot = 0;
    }

    /// <summary>Copies of the frames held, grouped by block in block order (each group one hold-out unit for the learner).</summary>
    public IReadOnlyList<IReadOnlyList<float[]>> Snapshot()
    {
        ChangedSinceSnapshot = 0;
        var groups = new SortedDictionary<long, List<float[]>>();
        for (var i = 0; i < _count; i++)
        {
            if (!groups.TryGetValue(_blocks[i], out var list))
            {
                list = [];
                groups[_blocks[i]] = list;
            }

            list.Add(_data.AsSpan(i * FeatureLength, FeatureLength).ToArray());
        }

        return [.. groups.Values];
    }

    private int[] Shuffled(int count)
    {
        var order = new int[count];
        for (var i = 0; i < count; i++)
        {
            order[i] = i;
        }

        _random.Shuffle(order);
        return order;
    }

    private void Write(int slot, ReadOnlySpan<float> features, long block)
    {
        features[..FeatureLength].CopyTo(_data.AsSpan(slot * FeatureLength, FeatureLength));
        _blocks[slot] = block;
        ChangedSinceSnapshot++;
    }

    private void Move(int from, int to)
    {
        if (from != to)
        {
            _data.AsSpan(from * FeatureLength, FeatureLength).CopyTo(_data.AsSpan(to * FeatureLength, FeatureLength));
            _blocks[to] = _blocks[from];
        }
    }
}
