using StreamAnalytics.Inference;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Heads.Action;

/// <summary>
/// The versioned recipe that turns T frames' backbone outputs into one feature vector for an action head
/// (a manifest with input layout <c>features</c>). A head is trained on features from one recipe version
/// and is only valid on those: change what <see cref="Compute(Window, Span{float})"/> writes and the id must change too.
/// <para>
/// <b>temporal-stats-v1</b>. Per frame t (0 ≤ t &lt; T, T ≥ 2, in capture order) the backbone gives its
/// pooled embedding e_t (C values; the output with role <c>embedding</c>) and its last feature map m_t
/// (C channels × S cells, channel-major as an NCHW output; role <c>featureMap</c>). With
/// d_t = e_{t+1} − e_t, c_t = 1 − cos(e_{t+1}, e_t), a_t[k] = max over cells s of |m_{t+1}[k,s] − m_t[k,s]|,
/// x_t[k] = max over s of m_t[k,s] and g_t = x_{t+1} − x_t, the features are, in this order
/// (std is the population standard deviation; D = 8C + 4, 4100 for ResNet-18):
/// mean e, std e (appearance); mean |d|, std d (how the whole-frame embedding moves);
/// mean, std, max, min of c; mean a, std a (the strongest local change of each channel: a fight is a
/// local event that whole-frame pooling dilutes); mean |g|, std g (change of the max-pooled map).
/// Temporal change carries most of the signal (docs/models-action.md).
/// </para>
/// <para>
/// A whole clip of n decoded frames is scored over views: if n ≤ T all its frames, else for each offset u
/// in <see cref="ViewOffsets"/> the frames ⌊(t + u)·n / T⌋, t = 0..T−1; each both as decoded and mirrored
/// left-right. The clip's probabilities are the mean over views. A live window is one view: its T sampled
/// frames as they are.
/// </para>
/// </summary>
internal sealed class ClipFeatureRecipe
{
    public const string TemporalStatsV1 = FeatureInputSpec.TemporalStatsV1;

    public const int MinimumFrames = FeatureInputSpec.MinimumFrames;

    /// <summary>Where, within each stretch of n/T decoded frames, a whole-clip view samples its frame.</summary>
    public static readonly IReadOnlyList<double> ViewOffsets = [0.5, 0.1, 0.3, 0.7, 0.9];

    public static IReadOnlyList<string> KnownIds => FeatureInputSpec.KnownRecipes;

    private readonly int _embeddingOffset;
    private readonly int _mapOffset;

    /// <param name="embeddingOffset">Where e_t starts in a frame's concatenated backbone outputs.</param>
    /// <param name="channels">C: values in e_t, and channels of m_t.</param>
    /// <param name="mapOffset">Where m_t starts in a frame's concatenated backbone outputs.</param>
    /// <param name="cells">S: cells per channel of m_t (49 for a 7×7 map).</param>
    public ClipFeatureRecipe(string id, int embeddingOffset, int channels, int mapOffset, int cells)
    {
        if (!IsKnown(id))
        {
            throw new ArgumentException($"Unknown feature recipe '{id}' (known: {string.Join(", ", KnownIds)}).", nameof(id));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(embeddingOffset);
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(mapOffset);
        ArgumentOutOfRangeException.ThrowIfLessThan(cells, 1);
        Id = id;
        _embeddingOffset = embeddingOffset;
        Channels = channels;
        _mapOffset = mapOffset;
        Cells = cells;
    }

    public string Id { get; }

    public int Channels { get; }

    public int Cells { get; }

    /// <summary>D: values <see cref="Compute(IReadOnlyList{float[]}, Span{float})"/> writes.</summary>
    public int FeatureLength => (8 * Channels) + 4;

    public static bool IsKnown(string id) => FeatureInputSpec.IsKnownRecipe(id);

    /// <summary>
    /// Binds recipe <paramref name="id"/> to a backbone's outputs (the order in which the pipeline concatenates
    /// them into <see cref="FrameSlot.Features"/>): the first <c>embedding</c> and the first <c>featureMap</c>
    /// output, whose size must be a whole number of embedding-sized channels.
    /// </summary>
    /// <exception cref="ModelManifestException">The backbone lacks an output the recipe reads.</exception>
    public static ClipFeatureRecipe ForBackbone(string id, ModelManifest backbone, IReadOnlyList<int> outputItemSizes)
    {
        int? embedding = null;
        int? map = null;
        for (var o = 0; o < backbone.Outputs.Count; o++)
        {
            if (backbone.Outputs[o].Role == OutputRole.Embedding && embedding is null)
            {
                embedding = o;
            }
            else if (backbone.Outputs[o].Role == OutputRole.FeatureMap && map is null)
            {
                map = o;
            }
        }

        var problems = new List<string>();
        if (embedding is null || map is null)
        {
            problems.Add($"feature recipe '{id}' reads an output with role embedding and one with role featureMap; backbone '{backbone.Name}' has {string.Join(", ", backbone.Outputs.Select(o => $"'{o.Name}' ({o.Role})"))}.");
        }
        else if (outputItemSizes[map.Value] % outputItemSizes[embedding.Value] != 0)
        {
            problems.Add($"feature recipe '{id}' needs feature map '{backbone.Outputs[map.Value].Name}' to have one channel per embedding value: {outputItemSizes[map.Value]} values are not a multiple of {outputItemSizes[embedding.Value]}.");
        }

        if (problems.Count > 0)
        {
            throw new ModelManifestException(backbone.ManifestPath, problems);
        }

        var channels = outputItemSizes[embedding!.Value];
        return new ClipFeatureRecipe(
            id,
            embeddingOffset: outputItemSizes.Take(embedding.Value).Sum(),
            channels,
            mapOffset: outputItemSizes.Take(map!.Value).Sum(),
            cells: outputItemSizes[map.Value] / channels);
    }

    /// <summary>
    /// 0-based indices of the frames a whole-clip view takes from <paramref name="decoded"/> frames: every
    /// frame when there are at most <paramref name="frames"/> (no frame is repeated: a repeat would be a
    /// change of exactly zero that no camera shows), otherwise ⌊(t + offset)·decoded / frames⌋.
    /// </summary>
    public static int[] SampleIndices(int decoded, int frames, double offset)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(decoded, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(frames, 1);
        if (offset is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, "The offset must be in [0, 1).");
        }

        if (decoded <= frames)
        {
            return [.. Enumerable.Range(0, decoded)];
        }

        var indices = new int[frames];
        for (var t = 0; t < frames; t++)
        {
            indices[t] = Math.Min(decoded - 1, (int)Math.Floor((t + offset) * decoded / frames));
        }

        return indices;
    }

    /// <summary>The features of a live window: its frames' backbone outputs (<see cref="FrameSlot.Features"/>, which must be ready).</summary>
    public void Compute(Window window, Span<float> destination)
    {
        var frames = new float[window.Length][];
        for (var t = 0; t < frames.Length; t++)
        {
            var slot = window.Frames[t];
            frames[t] = slot.HasFeatures && slot.Features is { } features
                ? features
                : throw new InvalidOperationException($"Frame {slot.Sequence} of window {window.Index} has not been encoded yet.");
        }

        Compute(frames, destination);
    }

    /// <summary>
    /// Writes the <see cref="FeatureLength"/> features of <paramref name="frames"/> (each a frame's concatenated
    /// backbone outputs, in capture order) into <paramref name="destination"/>. Deterministic: sums run in a
    /// fixed order, in double precision.
    /// </summary>
    public void Compute(IReadOnlyList<float[]> frames, Span<float> destination)
    {
        var count = frames.Count;
        if (count < MinimumFrames)
        {
            throw new ArgumentException($"Feature recipe '{Id}' needs at least {MinimumFrames} frames (got {count}).", nameof(frames));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, FeatureLength, nameof(destination));
        var need = Math.Max(_embeddingOffset + Channels, _mapOffset + (Channels * Cells));
        foreach (var frame in frames)
        {
            if (frame.Length < need)
            {
                throw new ArgumentException($"A frame holds {frame.Length} backbone values; feature recipe '{Id}' reads {need}.", nameof(frames));
            }
        }

        var c = Channels;
        var sum = new double[c];
        var squares = new double[c];

        // Appearance: mean and std of e_t.
        Moments(count, t => Embedding(frames[t]), sum, squares);
        WriteMoments(count, sum, squares, destination[..c], destination.Slice(c, c), absoluteMean: null);

        // Whole-frame change: mean |d_t| and std d_t.
        var absolute = new double[c];
        MomentsOfDifferences(count, t => Embedding(frames[t]), sum, squares, absolute);
        WriteMoments(count - 1, sum, squares, destination.Slice(2 * c, c), destination.Slice(3 * c, c), absolute);

        // Cosine distances between consecutive embeddings.
        double cosineSum = 0, cosineSquares = 0, cosineMax = double.MinValue, cosineMin = double.MaxValue;
        for (var t = 0; t + 1 < count; t++)
        {
            var distance = CosineDistance(Embedding(frames[t + 1]), Embedding(frames[t]));
            cosineSum += distance;
            cosineSquares += distance * distance;
            cosineMax = Math.Max(cosineMax, distance);
            cosineMin = Math.Min(cosineMin, distance);
        }

        var pairs = count - 1;
        var cosineMean = cosineSum / pairs;
        destination[4 * c] = (float)cosineMean;
        destination[(4 * c) + 1] = (float)Math.Sqrt(Math.Max(0, (cosineSquares / pairs) - (cosineMean * cosineMean)));
        destination[(4 * c) + 2] = (float)cosineMax;
        destination[(4 * c) + 3] = (float)cosineMin;

        // Strongest local change per channel: mean and std over t of a_t.
        var local = new float[c];
        Array.Clear(sum);
        Array.Clear(squares);
        for (var t = 0; t + 1 < count; t++)
        {
            MaxAbsoluteCellChange(Map(frames[t + 1]), Map(frames[t]), local);
            Accumulate(local, sum, squares);
        }

        var at = (4 * c) + 4;
        WriteMoments(pairs, sum, squares, destination.Slice(at, c), destination.Slice(at + c, c), absoluteMean: null);

        // Change of the max-pooled map: mean |g_t| and std g_t.
        var pooled = new float[count][];
        for (var t = 0; t < count; t++)
        {
            pooled[t] = new float[c];
            MaxOverCells(Map(frames[t]), pooled[t]);
        }

        MomentsOfDifferences(count, t => pooled[t], sum, squares, absolute);
        WriteMoments(pairs, sum, squares, destination.Slice(at + (2 * c), c), destination.Slice(at + (3 * c), c), absolute);
    }

    private ReadOnlySpan<float> Embedding(float[] frame) => frame.AsSpan(_embeddingOffset, Channels);

    private ReadOnlySpan<float> Map(float[] frame) => frame.AsSpan(_mapOffset, Channels * Cells);

    private delegate ReadOnlySpan<float> Vector(int t);

    private static void Moments(int count, Vector vector, double[] sum, double[] squares)
    {
        Array.Clear(sum);
        Array.Clear(squares);
        for (var t = 0; t < count; t++)
        {
            Accumulate(vector(t), sum, squares);
        }
    }

    private static void MomentsOfDifferences(int count, Vector vector, double[] sum, double[] squares, double[] absolute)
    {
        Array.Clear(sum);
        Array.Clear(squares);
        Array.Clear(absolute);
        for (var t = 0; t + 1 < count; t++)
        {
            var next = vector(t + 1);
            var current = vector(t);
            for (var k = 0; k < sum.Length; k++)
            {
                double d = next[k] - current[k];
                sum[k] += d;
                squares[k] += d * d;
                absolute[k] += Math.Abs(d);
            }
        }
    }

    private static void Accumulate(ReadOnlySpan<float> values, double[] sum, double[] squares)
    {
        for (var k = 0; k < sum.Length; k++)
        {
            double v = values[k];
            sum[k] += v;
            squares[k] += v * v;
        }
    }

    /// <summary>Writes mean (or, given <paramref name="absoluteMean"/> sums, the mean absolute value) and population std.</summary>
    private static void WriteMoments(int count, double[] sum, double[] squares, Span<float> mean, Span<float> std, double[]? absoluteMean)
    {
        for (var k = 0; k < sum.Length; k++)
        {
            var m = sum[k] / count;
            mean[k] = (float)((absoluteMean?[k] ?? sum[k]) / count);

            // Clamped: rounding can make E[x²] − E[x]² slightly negative when the values barely move.
            std[k] = (float)Math.Sqrt(Math.Max(0, (squares[k] / count) - (m * m)));
        }
    }

    /// <summary>1 − cosine similarity; 0 when either vector is all zeros (no direction to compare).</summary>
    private static double CosineDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var k = 0; k < a.Length; k++)
        {
            dot += (double)a[k] * b[k];
            na += (double)a[k] * a[k];
            nb += (double)b[k] * b[k];
        }

        return na == 0 || nb == 0 ? 0 : 1 - (dot / Math.Sqrt(na * nb));
    }

    private void MaxAbsoluteCellChange(ReadOnlySpan<float> next, ReadOnlySpan<float> current, Span<float> result)
    {
        for (var k = 0; k < Channels; k++)
        {
            var a = next.Slice(k * Cells, Cells);
            var b = current.Slice(k * Cells, Cells);
            var max = 0f;
            for (var s = 0; s < Cells; s++)
            {
                max = Math.Max(max, Math.Abs(a[s] - b[s]));
            }

            result[k] = max;
        }
    }

    private void MaxOverCells(ReadOnlySpan<float> map, Span<float> result)
    {
        for (var k = 0; k < Channels; k++)
        {
            var cells = map.Slice(k * Cells, Cells);
            var max = float.MinValue;
            foreach (var v in cells)
            {
                max = Math.Max(max, v);
            }

            result[k] = max;
        }
    }
}
