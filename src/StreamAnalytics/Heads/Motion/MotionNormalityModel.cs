using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace StreamAnalytics.Heads.Motion;

/// <summary>
/// What one camera's motion looks like when nothing unusual happens: for every cell position of the
/// grid, the cell vectors of the normal training frames. A frame's raw score is the largest, over cells,
/// of the Euclidean distance from the frame's cell vector to its nearest normal vector at the same
/// position (features scaled by their training standard deviation so no feature dominates by units).
/// Per position, because what is normal depends on where: fast motion may be normal on a road cell
/// and not on the walkway next to it. Immutable once learned, so one instance can serve many scorers.
/// <see cref="MotionNormalityLearner"/> learns one; <see cref="MotionStateFile"/> saves and loads it.
/// </summary>
internal sealed class MotionNormalityModel
{
    // Cell-major, then feature-major, then frame: each (cell, feature) column of Frames floats is
    // contiguous, so the distances to all stored frames are a few SIMD passes over columns.
    private readonly float[] _vectors;
    private readonly float[] _scale;

    // A few stored vectors per cell, frame-major ([cell][anchor][feature]). A query's distance to the nearest of them
    // bounds its distance to the nearest of all from above, so cells that cannot change the score are skipped.
    private const int AnchorCount = 16;
    private readonly float[] _anchors;
    private readonly int _anchorCount;

    internal MotionNormalityModel(
        MotionFeatureOptions featureOptions,
        string cameraId,
        DateTimeOffset createdAt,
        int smoothingFrames,
        double thresholdQuantile,
        double threshold,
        int frames,
        int trainingFrames,
        int trainingVideos,
        int holdOutGroups,
        float[] scale,
        float[] vectors)
    {
        FeatureOptions = featureOptions;
        CameraId = cameraId;
        CreatedAt = createdAt;
        SmoothingFrames = smoothingFrames;
        ThresholdQuantile = thresholdQuantile;
        Threshold = threshold;
        Frames = frames;
        TrainingFrames = trainingFrames;
        TrainingVideos = trainingVideos;
        HoldOutGroups = holdOutGroups;
        _scale = scale;
        _vectors = vectors;
        _anchorCount = Math.Min(AnchorCount, frames);
        _anchors = Anchors(featureOptions, frames, vectors, _anchorCount);
    }

    public MotionFeatureOptions FeatureOptions { get; }

    public string CameraId { get; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>Trailing frames averaged into a reported score (see <see cref="MotionNormalityOptions.SmoothingFrames"/>).</summary>
    public int SmoothingFrames { get; }

    public double ThresholdQuantile { get; }

    /// <summary>A smoothed score above this is anomalous.</summary>
    public double Threshold { get; }

    /// <summary>Normal frames stored per cell position.</summary>
    public int Frames { get; }

    /// <summary>Frames offered for learning, before thinning to <see cref="MotionNormalityOptions.MaxFrames"/>.</summary>
    public int TrainingFrames { get; }

    public int TrainingVideos { get; }

    /// <summary>Blocks of footage held out in turn to calibrate the threshold.</summary>
    public int HoldOutGroups { get; }

    /// <summary>The same frames with another threshold (a rebuild keeps the camera from growing more sensitive).</summary>
    internal MotionNormalityModel WithThreshold(double threshold) =>
        new(FeatureOptions, CameraId, CreatedAt, SmoothingFrames, ThresholdQuantile, threshold, Frames, TrainingFrames, TrainingVideos, HoldOutGroups, _scale, _vectors);

    /// <summary>The stored vectors, cell-major, then feature-major, then frame (for the state file and the learner).</summary>
    internal float[] Vectors => _vectors;

    /// <summary>One scale per feature of a cell (for the state file).</summary>
    internal float[] Scales => _scale;

    /// <summary>Bytes of the learned vectors and scales (the model's memory, objects aside).</summary>
    public long MemoryBytes => ((long)_vectors.Length + _scale.Length) * sizeof(float);

    /// <summary>Floats of scratch space <see cref="Score"/> needs.</summary>
    public int ScratchLength => FeatureOptions.FeaturesPerCell + (2 * FeatureOptions.CellCount);

    /// <summary>
    /// Raw (unsmoothed) score of one frame's cell features. Allocates nothing; <paramref name="scratch"/>
    /// (at least <see cref="ScratchLength"/> floats) is the caller's, so concurrent callers need their own.
    /// </summary>
    /// <param name="cellWeights">Per cell, a factor on its distance (a zone's sensitivity); empty: 1 everywhere.</param>
    /// <param name="minCells">The score is the <paramref name="minCells"/>-th largest cell distance (1: the largest), at most 16.</param>
    public float Score(ReadOnlySpan<float> cellFeatures, Span<float> scratch, ReadOnlySpan<float> cellWeights = default, int minCells = 1)
    {
        var perCell = FeatureOptions.FeaturesPerCell;
        var cells = FeatureOptions.CellCount;
        if (cellFeatures.Length != FeatureOptions.FeatureLength)
        {
            throw new ArgumentException($"Expected {FeatureOptions.FeatureLength} features, got {cellFeatures.Length}.", nameof(cellFeatures));
        }

        if (scratch.Length < ScratchLength)
        {
            throw new ArgumentException($"Scratch holds {scratch.Length} floats; {ScratchLength} are needed.", nameof(scratch));
        }

        if (!cellWeights.IsEmpty && cellWeights.Length != cells)
        {
            throw new ArgumentException($"Expected {cells} cell weights, got {cellWeights.Length}.", nameof(cellWeights));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(minCells, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minCells, 16);
        var query = scratch[..perCell];
        var bounds = scratch.Slice(perCell, cells);
        var order = MemoryMarshal.Cast<float, int>(scratch.Slice(perCell + cells, cells));

        // Upper bounds on each cell's (weighted, squared) nearest distance, cheap to get: the nearest of a few anchors.
        // Most cells of a surveillance scene look as they usually do, so once the unusual cells are scored, the rest
        // cannot reach the score and are never compared with all stored frames. The score is the same as scoring every cell.
        for (var cell = 0; cell < cells; cell++)
        {
            TensorPrimitives.Multiply(cellFeatures.Slice(cell * perCell, perCell), _scale, query);
            var bound = float.PositiveInfinity;
            var anchors = _anchors.AsSpan(cell * _anchorCount * perCell, _anchorCount * perCell);
            for (var a = 0; a < _anchorCount; a++)
            {
                bound = MathF.Min(bound, SquaredDistance(query, anchors.Slice(a * perCell, perCell)));
            }

            var weight = cellWeights.IsEmpty ? 1f : cellWeights[cell];

            // A relative margin for float rounding: the bound must never fall below the distance computed below.
            bounds[cell] = (bound * weight * weight * 1.0001f) + 1e-6f;
            order[cell] = cell;
        }

        bounds.Sort(order);

        // The largest squared distances so far, in descending order.
        Span<float> largest = stackalloc float[minCells];
        largest.Clear();
        for (var k = cells - 1; k >= 0 && bounds[k] > largest[^1]; k--)
        {
            var cell = order[k];
            TensorPrimitives.Multiply(cellFeatures.Slice(cell * perCell, perCell), _scale, query);
            var weightSquared = cellWeights.IsEmpty ? 1f : cellWeights[cell] * cellWeights[cell];
            var nearest = NearestUnless(cell, query, weightSquared, largest[^1]);
            if (!cellWeights.IsEmpty)
            {
                nearest *= weightSquared;
            }

            if (nearest > largest[^1])
            {
                var at = minCells - 1;
                while (at > 0 && largest[at - 1] < nearest)
                {
                    largest[at] = largest[at - 1];
                    at--;
                }

                largest[at] = nearest;
            }
        }

        return MathF.Sqrt(largest[^1]);
    }

    /// <summary>The feature settings in one line, for messages and reports.</summary>
    public static string Describe(MotionFeatureOptions o) =>
        string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"algorithm {o.AlgorithmVersion}, analysis {o.AnalysisWidth}x{o.AnalysisHeight}, cells {o.CellSize} px every {o.CellStride} px, {o.DirectionBins} direction bins, {o.MagnitudeBins} speed bins from {o.MagnitudeBase} px/frame, Farneback pyramid {o.FlowPyramidScale} x {o.FlowLevels}, window {o.FlowWindowSize}, {o.FlowIterations} iterations, polyN {o.FlowPolyN}, sigma {o.FlowPolySigma}, {(o.MaxFps > 0 ? $"at most {o.MaxFps} measurements/s" : "every frame measured")}");

    private static float SquaredDistance(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var sum = 0f;
        for (var d = 0; d < x.Length; d++)
        {
            var difference = y[d] - x[d];
            sum += difference * difference;
        }

        return sum;
    }

    /// <summary>Stored frames at evenly spaced positions, per cell, copied frame-major for <see cref="Score"/>'s bounds.</summary>
    private static float[] Anchors(MotionFeatureOptions options, int frames, float[] vectors, int count)
    {
        var perCell = options.FeaturesPerCell;
        var anchors = new float[options.CellCount * count * perCell];
        for (var cell = 0; cell < options.CellCount; cell++)
        {
            for (var a = 0; a < count; a++)
            {
                var frame = (int)((long)a * frames / count);
                for (var d = 0; d < perCell; d++)
                {
                    anchors[(((cell * count) + a) * perCell) + d] = vectors[(((cell * perCell) + d) * frames) + frame];
                }
            }
        }

        return anchors;
    }

    /// <summary>
    /// The least squared distance from <paramref name="query"/> (already scaled) to the stored vectors of
    /// <paramref name="cell"/>, unless some stored vector's distance d has d·<paramref name="weightSquared"/> ≤
    /// <paramref name="enough"/>: then it stops there and returns that d, since the cell cannot raise a score that
    /// already reaches <paramref name="enough"/> (float multiplication by a positive factor keeps the order, so the
    /// least distance could not either). Each distance is <see cref="Distances"/>' to the bit.
    /// </summary>
    /// <remarks>
    /// The bounds in <see cref="Score"/> leave the cells whose nearest anchor is far; on real footage that is still many
    /// cells of a scene with people in it, and most of them find a close stored frame early: at 16 cameras the full
    /// passes were 11% of the process.
    /// </remarks>
    internal float NearestUnless(int cell, ReadOnlySpan<float> query, float weightSquared, float enough)
    {
        var frames = Frames;
        var perCell = query.Length;
        ArgumentOutOfRangeException.ThrowIfZero(perCell, nameof(query));
        ReadOnlySpan<float> block = _vectors.AsSpan(cell * perCell * frames, perCell * frames);
        ref var column = ref MemoryMarshal.GetReference(block);
        Span<float> lanes = stackalloc float[Vector512<float>.Count];
        var nearest = float.PositiveInfinity;
        var i = 0;
        if (Vector512.IsHardwareAccelerated && frames >= Vector512<float>.Count)
        {
            var least = Vector512.Create(float.PositiveInfinity);
            var factor = Vector512.Create(weightSquared);
            var limit = Vector512.Create(enough);
            for (; i <= frames - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                var sum = SquaredDistances512(ref column, i, frames, query);
                if (Vector512.LessThanOrEqualAny(sum * factor, limit))
                {
                    sum.CopyTo(lanes);
                    return FirstWithin(lanes, weightSquared, enough);
                }

                least = Vector512.Min(least, sum);
            }

            least.CopyTo(lanes);
            nearest = TensorPrimitives.Min(lanes);
        }
        else if (Vector256.IsHardwareAccelerated && frames >= Vector256<float>.Count)
        {
            var least = Vector256.Create(float.PositiveInfinity);
            var factor = Vector256.Create(weightSquared);
            var limit = Vector256.Create(enough);
            for (; i <= frames - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var sum = SquaredDistances256(ref column, i, frames, query);
                if (Vector256.LessThanOrEqualAny(sum * factor, limit))
                {
                    sum.CopyTo(lanes);
                    return FirstWithin(lanes[..Vector256<float>.Count], weightSquared, enough);
                }

                least = Vector256.Min(least, sum);
            }

            least.CopyTo(lanes);
            nearest = TensorPrimitives.Min(lanes[..Vector256<float>.Count]);
        }

        for (; i < frames; i++)
        {
            var sum = SquaredDistanceAt(block, i, frames, query);
            if (sum * weightSquared <= enough)
            {
                return sum;
            }

            nearest = MathF.Min(nearest, sum);
        }

        return nearest;
    }

    // The vector test found a lane; the same product in a scalar register is the same float, so one lane qualifies here.
    private static float FirstWithin(ReadOnlySpan<float> sums, float weightSquared, float enough)
    {
        foreach (var sum in sums)
        {
            if (sum * weightSquared <= enough)
            {
                return sum;
            }
        }

        return sums[0];
    }

    // The squared distances of Distances and NearestUnless, one register of stored frames from frame i: (x − q)² per
    // feature, added unfused in feature order, so both give the same floats.
    private static Vector512<float> SquaredDistances512(ref float column, int i, int frames, ReadOnlySpan<float> query)
    {
        var difference = Vector512.LoadUnsafe(ref column, (nuint)i) - Vector512.Create(query[0]);
        var sum = difference * difference;
        for (var d = 1; d < query.Length; d++)
        {
            difference = Vector512.LoadUnsafe(ref column, (nuint)((d * frames) + i)) - Vector512.Create(query[d]);
            sum = (difference * difference) + sum;
        }

        return sum;
    }

    private static Vector256<float> SquaredDistances256(ref float column, int i, int frames, ReadOnlySpan<float> query)
    {
        var difference = Vector256.LoadUnsafe(ref column, (nuint)i) - Vector256.Create(query[0]);
        var sum = difference * difference;
        for (var d = 1; d < query.Length; d++)
        {
            difference = Vector256.LoadUnsafe(ref column, (nuint)((d * frames) + i)) - Vector256.Create(query[d]);
            sum = (difference * difference) + sum;
        }

        return sum;
    }

    private static float SquaredDistanceAt(ReadOnlySpan<float> block, int i, int frames, ReadOnlySpan<float> query)
    {
        var difference = block[i] - query[0];
        var sum = difference * difference;
        for (var d = 1; d < query.Length; d++)
        {
            difference = block[(d * frames) + i] - query[d];
            sum = (difference * difference) + sum;
        }

        return sum;
    }

    /// <summary>Squared distances from <paramref name="query"/> (already scaled) to every stored vector of <paramref name="cell"/>.</summary>
    /// <remarks>
    /// One pass over the cell's columns, a register of frames at a time, with the sum kept in the register across features:
    /// a pass per feature through a scratch array cost 8.5% of the process at 16 cameras. Each term is rounded as before,
    /// (x − q)² then added, unfused, in feature order, so scores and learned thresholds are unchanged to the bit.
    /// </remarks>
    internal void Distances(int cell, ReadOnlySpan<float> query, Span<float> distances)
    {
        var frames = Frames;
        var perCell = query.Length;
        ArgumentOutOfRangeException.ThrowIfLessThan(distances.Length, frames, nameof(distances));
        ArgumentOutOfRangeException.ThrowIfZero(perCell, nameof(query));
        ReadOnlySpan<float> block = _vectors.AsSpan(cell * perCell * frames, perCell * frames);
        ref var column = ref MemoryMarshal.GetReference(block);
        ref var output = ref MemoryMarshal.GetReference(distances);
        var i = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; i <= frames - Vector512<float>.Count; i += Vector512<float>.Count)
            {
                SquaredDistances512(ref column, i, frames, query).StoreUnsafe(ref output, (nuint)i);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; i <= frames - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                SquaredDistances256(ref column, i, frames, query).StoreUnsafe(ref output, (nuint)i);
            }
        }

        for (; i < frames; i++)
        {
            distances[i] = SquaredDistanceAt(block, i, frames, query);
        }
    }
}
