namespace StreamAnalytics.Heads.Appearance;

/// <summary>
/// How <see cref="AnomalyDetector"/> compares windows: what it keeps of a window, how far a window is from the normal
/// set, and from one other window (which windows a refresh lets go). One instance per camera: a metric may learn from
/// the calibration.
/// </summary>
internal interface IWindowMetric
{
    /// <summary>Writes the form a window is kept and compared in, as many values as it has, into <paramref name="destination"/>.</summary>
    void Prepare(ReadOnlySpan<float> window, Span<float> destination);

    /// <summary>The score of <paramref name="query"/>: how far it is from the nearest of <paramref name="normal"/>, leaving out index <paramref name="skip"/> (-1: none).</summary>
    double Nearest(float[] query, IReadOnlyList<float[]> normal, int skip);

    /// <summary>How far apart two prepared windows are, on the scale of <see cref="Nearest"/>.</summary>
    double Distance(float[] a, float[] b);

    /// <summary>Learns what the metric needs from a complete calibration, unless it was restored with it.</summary>
    void Calibrate(IReadOnlyList<float[]> normal);
}
