using StreamAnalytics.Heads.Appearance;

namespace StreamAnalytics.Tests.Heads.Appearance;

public sealed class AnomalyDetectorTests
{
    /// <summary>A unit vector in the plane at <paramref name="degrees"/>, padded to 4 dimensions, times <paramref name="length"/>.</summary>
    private static float[] At(double degrees, float length = 1f)
    {
        var radians = degrees * Math.PI / 180;
        return [(float)Math.Cos(radians) * length, (float)Math.Sin(radians) * length, 0, 0];
    }

    private static double Distance(double degrees) => 1 - Math.Cos(degrees * Math.PI / 180);

    [Fact]
    public void Calibration_windows_return_null_then_scoring_starts()
    {
        var detector = new AnomalyDetector(calibrationWindows: 5, fixedThreshold: null, sigma: 3, minThreshold: 0);

        for (var i = 0; i < 5; i++)
        {
            Assert.False(detector.IsCalibrated);
            Assert.True(double.IsNaN(detector.Threshold));
            Assert.Null(detector.Observe(At(i * 10)));
            Assert.Equal(i + 1, detector.LearnedWindows);
        }

        Assert.True(detector.IsCalibrated);
        Assert.NotNull(detector.Observe(At(5)));
        Assert.Equal(5, detector.LearnedWindows);
    }

    [Fact]
    public void Learned_threshold_is_mean_plus_sigma_std_of_leave_one_out_distances()
    {
        var detector = new AnomalyDetector(calibrationWindows: 3, fixedThreshold: null, sigma: 2, minThreshold: 0);

        detector.Observe(At(0));
        detector.Observe(At(10));
        detector.Observe(At(30));

        // Nearest other normal window: 0° → 10°, 10° → 0°, 30° → 10°.
        double[] distances = [Distance(10), Distance(10), Distance(20)];
        var mean = distances.Average();
        var std = Math.Sqrt(distances.Sum(d => (d - mean) * (d - mean)) / distances.Length);
        Assert.Equal(mean + (2 * std), detector.Threshold, 5);
    }

    [Fact]
    public void Learned_threshold_never_falls_below_the_minimum()
    {
        var detector = new AnomalyDetector(calibrationWindows: 4, fixedThreshold: null, sigma: 4, minThreshold: 0.05);

        foreach (var degrees in new[] { 0, 10, 20, 30 })
        {
            detector.Observe(At(degrees));
        }

        // Evenly spaced: every distance is 1 − cos 10° ≈ 0.015, std 0, so the minimum wins.
        Assert.Equal(0.05, detector.Threshold, 6);
    }

    [Fact]
    public void A_vector_far_from_the_normal_ones_is_anomalous_and_a_close_one_is_not()
    {
        var detector = new AnomalyDetector(calibrationWindows: 5, fixedThreshold: null, sigma: 4, minThreshold: 0);
        foreach (var degrees in new[] { 0, 10, 20, 30, 40 })
        {
            detector.Observe(At(degrees));
        }

        Assert.Equal(Distance(10), detector.Threshold, 5);

        var far = detector.Observe(At(90))!.Value;
        Assert.True(far.IsAnomalous);
        Assert.Equal(Distance(50), far.Score, 5);
        Assert.Equal(detector.Threshold, far.Threshold);

        // Close to 20°/30°, and scaled: the distance is cosine, so length does not matter.
        var close = detector.Observe(At(25, length: 37f))!.Value;
        Assert.False(close.IsAnomalous);
        Assert.Equal(Distance(5), close.Score, 5);

        // A window identical to a normal one scores 0.
        Assert.Equal(0, detector.Observe(At(20))!.Value.Score, 5);
    }

    [Fact]
    public void Scored_windows_are_not_learned()
    {
        var detector = new AnomalyDetector(calibrationWindows: 2, fixedThreshold: 0.1, sigma: 4, minThreshold: 0);
        detector.Observe(At(0));
        detector.Observe(At(5));

        Assert.True(detector.Observe(At(90))!.Value.IsAnomalous);
        Assert.True(detector.Observe(At(90))!.Value.IsAnomalous);
        Assert.Equal(2, detector.LearnedWindows);
    }

    [Fact]
    public void A_fixed_threshold_is_honoured()
    {
        var detector = new AnomalyDetector(calibrationWindows: 3, fixedThreshold: 0.5, sigma: 4, minThreshold: 0.9);
        foreach (var degrees in new[] { 0, 10, 20 })
        {
            detector.Observe(At(degrees));
        }

        Assert.Equal(0.5, detector.Threshold);

        // 70° is 1 − cos 50° ≈ 0.36 from the nearest normal window: under 0.5.
        var below = detector.Observe(At(70))!.Value;
        Assert.False(below.IsAnomalous);
        Assert.Equal(0.5, below.Threshold);

        // 110° is 1 − cos 90° = 1 from the nearest: over 0.5.
        Assert.True(detector.Observe(At(110))!.Value.IsAnomalous);
    }

    [Fact]
    public void At_least_two_calibration_windows_are_needed()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AnomalyDetector(1, null, 4, 0));
    }
}
