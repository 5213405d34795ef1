namespace StreamAnalytics.Heads.Appearance;

/// <summary>
/// Unsupervised, for one camera: the first windows it sees are taken as normal; afterwards a window's
/// score is its cosine distance to the nearest normal window. The threshold is fixed, or learned as
/// mean + σ·std of the normal windows' own leave-one-out distances.
/// </summary>
internal sealed class AnomalyDetector
{
    private readonly List<float[]> _normal;
    private readonly int _calibrationWindows;
    private readonly double? _fixedThreshold;
    private readonly double _sigma;
    private readonly double _minThreshold;

    public AnomalyDetector(int calibrationWindows, double? fixedThreshold, double sigma, double minThreshold)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(calibrationWindows, 2);
        _calibrationWindows = calibrationWindows;
        _fixedThreshold = fixedThreshold;
        _sigma = sigma;
        _minThreshold = minThreshold;
        _normal = new List<float[]>(calibrationWindows);
    }

    /// <summary>
    /// A detector that starts calibrated on <paramref name="normal"/> (unit-length embeddings of an earlier calibration
    /// with as many windows), its threshold learned again under these settings.
    /// </summary>
    public static AnomalyDetector Restore(int calibrationWindows, double? fixedThreshold, double sigma, double minThreshold, IReadOnlyList<float[]> normal)
    {
        if (normal.Count != calibrationWindows)
        {
            throw new ArgumentException($"{normal.Count} saved windows, where {calibrationWindows} are calibrated on.", nameof(normal));
        }

        var detector = new AnomalyDetector(calibrationWindows, fixedThreshold, sigma, minThreshold);
        detector._normal.AddRange(normal);
        detector.Threshold = fixedThreshold ?? detector.LearnThreshold();
        return detector;
    }

    /// <summary>The unit-length embeddings learned as normal, in the order seen.</summary>
    public IReadOnlyList<float[]> Normal => _normal;

    public bool IsCalibrated => _normal.Count >= _calibrationWindows;

    public int LearnedWindows => _normal.Count;

    /// <summary>NaN until calibrated.</summary>
    public double Threshold { get; private set; } = double.NaN;

    /// <summary>Learns the embedding while calibrating (returns null), then scores it.</summary>
    public AnomalyScore? Observe(ReadOnlySpan<float> embedding)
    {
        var normalized = Normalize(embedding);
        if (!IsCalibrated)
        {
            _normal.Add(normalized);
            if (IsCalibrated)
            {
                Threshold = _fixedThreshold ?? LearnThreshold();
            }

            return null;
        }

        var score = NearestDistance(normalized, skip: -1);
        return new AnomalyScore(score, Threshold, score > Threshold);
    }

    private double LearnThreshold()
    {
        var distances = new double[_normal.Count];
        for (var i = 0; i < _normal.Count; i++)
        {
            distances[i] = NearestDistance(_normal[i], skip: i);
        }

        var mean = distances.Average();
        var std = Math.Sqrt(distances.Sum(d => (d - mean) * (d - mean)) / distances.Length);
        return Math.Max(_minThreshold, mean + (_sigma * std));
    }

    private double NearestDistance(float[] query, int skip)
    {
        var best = double.MaxValue;
        for (var i = 0; i < _normal.Count; i++)
        {
            if (i == skip)
            {
                continue;
            }

            var distance = 1.0 - System.Numerics.Tensors.TensorPrimitives.Dot(query, _normal[i]);
            best = Math.Min(best, distance);
        }

        return Math.Max(0, best);
    }

    private static float[] Normalize(ReadOnlySpan<float> embedding)
    {
        var copy = embedding.ToArray();
        var norm = System.Numerics.Tensors.TensorPrimitives.Norm(copy);
        if (norm > 0)
        {
            System.Numerics.Tensors.TensorPrimitives.Divide(copy, norm, copy);
        }

        return copy;
    }
}
