using StreamAnalytics.Heads.Appearance;

namespace StreamAnalytics.Tests.Heads.Appearance;

public sealed class AnomalyDetectorTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

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
            Assert.Null(detector.Observe(At(i * 10), Start));
            Assert.Equal(i + 1, detector.LearnedWindows);
        }

        Assert.True(detector.IsCalibrated);
        Assert.NotNull(detector.Observe(At(5), Start));
        Assert.Equal(5, detector.LearnedWindows);
    }

    [Fact]
    public void Learned_threshold_is_mean_plus_sigma_std_of_leave_one_out_distances()
    {
        var detector = new AnomalyDetector(calibrationWindows: 3, fixedThreshold: null, sigma: 2, minThreshold: 0);

        detector.Observe(At(0), Start);
        detector.Observe(At(10), Start);
        detector.Observe(At(30), Start);

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
            detector.Observe(At(degrees), Start);
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
            detector.Observe(At(degrees), Start);
        }

        Assert.Equal(Distance(10), detector.Threshold, 5);

        var far = detector.Observe(At(90), Start)!.Value;
        Assert.True(far.IsAnomalous);
        Assert.Equal(Distance(50), far.Score, 5);
        Assert.Equal(detector.Threshold, far.Threshold);

        // Close to 20°/30°, and scaled: the distance is cosine, so length does not matter.
        var close = detector.Observe(At(25, length: 37f), Start)!.Value;
        Assert.False(close.IsAnomalous);
        Assert.Equal(Distance(5), close.Score, 5);

        // A window identical to a normal one scores 0.
        Assert.Equal(0, detector.Observe(At(20), Start)!.Value.Score, 5);
    }

    [Fact]
    public void Scored_windows_are_not_learned()
    {
        var detector = new AnomalyDetector(calibrationWindows: 2, fixedThreshold: 0.1, sigma: 4, minThreshold: 0);
        detector.Observe(At(0), Start);
        detector.Observe(At(5), Start);

        Assert.True(detector.Observe(At(90), Start)!.Value.IsAnomalous);
        Assert.True(detector.Observe(At(90), Start)!.Value.IsAnomalous);
        Assert.Equal(2, detector.LearnedWindows);
    }

    [Fact]
    public void A_fixed_threshold_is_honoured()
    {
        var detector = new AnomalyDetector(calibrationWindows: 3, fixedThreshold: 0.5, sigma: 4, minThreshold: 0.9);
        foreach (var degrees in new[] { 0, 10, 20 })
        {
            detector.Observe(At(degrees), Start);
        }

        Assert.Equal(0.5, detector.Threshold);

        // 70° is 1 − cos 50° ≈ 0.36 from the nearest normal window: under 0.5.
        var below = detector.Observe(At(70), Start)!.Value;
        Assert.False(below.IsAnomalous);
        Assert.Equal(0.5, below.Threshold);

        // 110° is 1 − cos 90° = 1 from the nearest: over 0.5.
        Assert.True(detector.Observe(At(110), Start)!.Value.IsAnomalous);
    }

    /// <summary>Calibrated on 0°, 10°, 20° and 30° at one window a second; a fixed threshold of 12°'s distance unless it learns one.</summary>
    private static (AnomalyDetector Detector, DateTimeOffset Time) Calibrated(TimeSpan? refresh, bool learnThreshold = false)
    {
        var detector = new AnomalyDetector(4, learnThreshold ? null : Distance(12), sigma: 4, minThreshold: 0, refresh);
        var t = Start;
        foreach (var degrees in new[] { 0, 10, 20, 30 })
        {
            Assert.Null(detector.Observe(At(degrees), t));
            t += Second;
        }

        return (detector, t);
    }

    private static (int Alerts, AnomalyDetector Detector) Drift(TimeSpan? refresh)
    {
        var (detector, t) = Calibrated(refresh);
        var alerts = 0;

        // Each minute the scene turns 8° further (30° to 110° in ten minutes): every minute close to the one before.
        for (var minute = 1; minute <= 10; minute++)
        {
            for (var s = 0; s < 60; s++)
            {
                alerts += detector.Observe(At(30 + (8 * minute)), t)!.Value.IsAnomalous ? 1 : 0;
                t += Second;
            }
        }

        return (alerts, detector);
    }

    [Fact]
    public void A_scene_that_drifts_slowly_stays_familiar_when_it_keeps_learning()
    {
        var (without, frozen) = Drift(refresh: null);
        var (with, learning) = Drift(TimeSpan.FromMinutes(1));

        // Without learning, minutes 2 to 10 (16° and more from the calibration) all alert.
        Assert.Equal(9 * 60, without);
        Assert.Equal(1, frozen.Generation);

        Assert.Equal(0, with);
        Assert.Equal(11, learning.Generation);
        Assert.Equal(600, learning.QuietWindowsSeen);

        // Each refresh gives up the windows the others cover best: the drifted-away steps, each close to the next. The
        // calibration's own scene, which nothing since came near, stays (a scene seen by day is still known at night),
        // and something unlike anything seen is still anomalous.
        var t = Start + TimeSpan.FromHours(1);
        Assert.False(learning.Observe(At(0), t)!.Value.IsAnomalous);
        Assert.True(learning.Observe(At(200), t)!.Value.IsAnomalous);
        Assert.False(learning.Observe(At(110), t)!.Value.IsAnomalous);
        Assert.True(learning.Observe(At(70), t)!.Value.IsAnomalous);
    }

    [Fact]
    public void A_refresh_forgets_nothing_the_camera_still_shows()
    {
        // A looped scene of 8 moments, 10° apart, each learned once; the threshold covers a moment, not its neighbours.
        var detector = new AnomalyDetector(8, Distance(6), sigma: 4, minThreshold: 0, refreshInterval: TimeSpan.FromMinutes(1));
        var t = Start;
        for (var moment = 0; moment < 8; moment++)
        {
            detector.Observe(At(moment * 10), t);
            t += Second;
        }

        // The loop plays on for the refresh interval: quiet all through, and refreshed once.
        for (var s = 0; s < 64; s++)
        {
            Assert.False(detector.Observe(At(s % 8 * 10), t)!.Value.IsAnomalous);
            t += Second;
        }

        Assert.Equal(2, detector.Generation);

        // Every moment of the loop is still known. (Giving up a random half instead left moments that no newcomer
        // replaced, and those alerted on every loop after the refresh: bench/StreamAnalytics.AppearanceCalibration.)
        for (var moment = 0; moment < 8; moment++)
        {
            Assert.False(detector.Observe(At(moment * 10), t)!.Value.IsAnomalous, $"moment {moment} alerts after the refresh");
        }
    }

    [Fact]
    public void Windows_that_alert_are_never_learned()
    {
        var (detector, t) = Calibrated(TimeSpan.FromMinutes(1));
        var normal = detector.Normal.ToList();

        for (var s = 0; s < 300; s++)
        {
            Assert.True(detector.Observe(At(90), t)!.Value.IsAnomalous);
            t += Second;
        }

        Assert.Equal(1, detector.Generation);
        Assert.Equal(0, detector.QuietWindowsSeen);
        Assert.Equal(normal, detector.Normal);
    }

    [Fact]
    public void A_refresh_learns_the_new_scene_in_place_of_what_is_covered_best_and_keeps_the_calibrated_threshold()
    {
        var (detector, t) = Calibrated(TimeSpan.FromMinutes(1), learnThreshold: true);
        var calibration = detector.Normal.ToList();
        var threshold = detector.Threshold;
        var spread = detector.Spread;

        // 35° is 5° from 30°: under the learned threshold, so it is learned.
        for (var s = 0; s < 60; s++)
        {
            Assert.False(detector.Observe(At(35), t)!.Value.IsAnomalous);
            t += Second;
        }

        Assert.Equal(2, detector.Generation);

        // Two 35° windows join (half the set); two leave: one of the twins, then 30°, 5° from the other. The rest of the
        // calibration stays.
        Assert.Equal(4, detector.Normal.Count);
        Assert.Equal(calibration.Take(3), detector.Normal.Where(n => calibration.Contains(n)));
        Assert.Equal(1, detector.Normal.Count(n => Math.Abs(n[1] - (float)Math.Sin(35 * Math.PI / 180)) < 1e-6));

        // Learned again from this set (two identical 35° windows: leave-one-out distance 0) it would fall; it does not.
        Assert.Equal(threshold, detector.Threshold);
        Assert.Equal(spread, detector.Spread);
        Assert.Equal(Distance(10), detector.Threshold, 5);
    }

    [Fact]
    public void A_restored_detector_takes_its_threshold_from_the_saved_spread_under_the_sigma_now_set()
    {
        var (calibrated, _) = Calibrated(refresh: null, learnThreshold: true);
        var normal = calibrated.Normal.ToList();
        var spread = new AnomalySpread(0.01, 0.002);

        var restored = AnomalyDetector.Restore(4, null, sigma: 3, minThreshold: 0, normal, spread: spread);
        Assert.Equal(0.016, restored.Threshold, 9);
        Assert.Equal(spread, restored.Spread);

        // Without a saved spread (an older file), it is learned from the windows, as at calibration.
        Assert.Equal(calibrated.Threshold, AnomalyDetector.Restore(4, null, sigma: 4, minThreshold: 0, normal).Threshold, 9);
    }

    [Fact]
    public void A_long_gap_counts_as_half_a_minute_of_footage()
    {
        var (detector, t) = Calibrated(TimeSpan.FromMinutes(1));

        // The camera was away for an hour: not an hour of footage, so no refresh yet.
        t += TimeSpan.FromHours(1);
        detector.Observe(At(35), t);
        Assert.Equal(1, detector.Generation);

        t += TimeSpan.FromSeconds(29);
        detector.Observe(At(35), t);
        Assert.Equal(1, detector.Generation);

        t += Second;
        detector.Observe(At(35), t);
        Assert.Equal(2, detector.Generation);
    }

    /// <summary>Calibrated on 0°, 10°, 20° and 30° with a fixed threshold of 12°'s distance, learning a change that lasts 10 minutes.</summary>
    private static (AnomalyDetector Detector, DateTimeOffset Time) CalibratedForChanges(TimeSpan? refresh = null)
    {
        var detector = new AnomalyDetector(4, Distance(12), sigma: 4, minThreshold: 0, refresh, lastingChange: TimeSpan.FromMinutes(10));
        var t = Start;
        foreach (var degrees in new[] { 0, 10, 20, 30 })
        {
            detector.Observe(At(degrees), t);
            t += Second;
        }

        return (detector, t);
    }

    [Fact]
    public void A_change_that_keeps_alerting_for_the_interval_is_learned_and_alerts_no_more()
    {
        var (detector, t) = CalibratedForChanges();
        var calibration = detector.Normal.ToList();
        var first = t;
        var alerts = 0;

        // A parked car: from now on the scene is 90°, a window a second for 15 minutes.
        for (var s = 0; s < 900; s++)
        {
            var score = detector.Observe(At(90), t)!.Value;
            if (score.IsAnomalous)
            {
                alerts++;
                Assert.True(t - first <= TimeSpan.FromMinutes(10));
            }

            t += Second;
        }

        // Every window up to and including the one that completed ten minutes alerted, and none after it.
        Assert.Equal(601, alerts);
        Assert.Equal(1, detector.ChangesLearned);
        Assert.Equal(TimeSpan.FromMinutes(10), detector.LastChangeLearnedAfter);
        Assert.Equal(2, detector.Generation);
        Assert.Equal(TimeSpan.Zero, detector.ChangeFootage);

        // The change replaced the whole normal set, as a calibration on it would; the threshold is kept.
        Assert.Equal(0, detector.Normal.Count(n => calibration.Contains(n)));
        Assert.Equal(4, detector.Normal.Count(n => Math.Abs(n[1] - 1f) < 1e-6));
        Assert.Equal(Distance(12), detector.Threshold, 9);

        // Something unlike the car still alerts, and so does the street as it was: the car leaving is a change too.
        Assert.True(detector.Observe(At(200), t)!.Value.IsAnomalous);
        Assert.True(detector.Observe(At(20), t)!.Value.IsAnomalous);
    }

    [Fact]
    public void Changes_shorter_than_the_interval_are_never_learned()
    {
        var (detector, t) = CalibratedForChanges();
        var normal = detector.Normal.ToList();

        // Nine minutes of alerting, the scene back to normal for the break, nine minutes more: two changes, each too short.
        for (var round = 0; round < 2; round++)
        {
            for (var s = 0; s < 540; s++)
            {
                Assert.True(detector.Observe(At(90), t)!.Value.IsAnomalous);
                t += Second;
            }

            Assert.Equal(TimeSpan.FromSeconds(539), detector.ChangeFootage);
            for (var s = 0; s < AnomalyDetector.ChangeBreak.TotalSeconds; s++)
            {
                Assert.False(detector.Observe(At(15), t)!.Value.IsAnomalous);
                t += Second;
            }

            Assert.Equal(TimeSpan.Zero, detector.ChangeFootage);
        }

        Assert.Equal(0, detector.ChangesLearned);
        Assert.Equal(1, detector.Generation);
        Assert.Equal(normal, detector.Normal);
    }

    [Fact]
    public void Quiet_moments_shorter_than_the_break_do_not_restart_a_change()
    {
        var (detector, t) = CalibratedForChanges();
        var first = t;

        // A car that a passing bus hides now and then: 50 s alerting, 20 s that look as before, over and over.
        while (detector.ChangesLearned == 0)
        {
            Assert.True(t - first <= TimeSpan.FromMinutes(10));
            for (var s = 0; s < 70 && detector.ChangesLearned == 0; s++)
            {
                detector.Observe(s < 50 ? At(90) : At(15), t);
                t += Second;
            }
        }

        // Learned with the window that completed ten minutes after the first alert, quiet moments included.
        Assert.Equal(first + TimeSpan.FromMinutes(10) + Second, t);
        Assert.False(detector.Observe(At(90), t)!.Value.IsAnomalous);
    }

    [Fact]
    public void A_camera_that_was_away_counts_half_a_minute_towards_a_change()
    {
        var (detector, t) = CalibratedForChanges();
        detector.Observe(At(90), t);

        // An hour without windows counts as 30 s, as for a refresh.
        t += TimeSpan.FromHours(1);
        detector.Observe(At(90), t);
        Assert.Equal(TimeSpan.FromSeconds(30), detector.ChangeFootage);
        Assert.Equal(0, detector.ChangesLearned);
    }

    [Fact]
    public void A_lasting_change_starts_the_refresh_afresh()
    {
        var (detector, t) = CalibratedForChanges(refresh: TimeSpan.FromMinutes(15));

        // A minute and a half of quiet windows wait in the reservoir for a refresh; then a change alerts for ten minutes.
        for (var s = 0; s < 90; s++)
        {
            Assert.False(detector.Observe(At(25), t)!.Value.IsAnomalous);
            t += Second;
        }

        for (var s = 0; s <= 600; s++)
        {
            Assert.True(detector.Observe(At(90), t)!.Value.IsAnomalous);
            t += Second;
        }

        Assert.Equal(1, detector.ChangesLearned);
        Assert.Equal(2, detector.Generation);

        // The next refresh comes a whole interval of the new scene later, not when the old count would have run out
        // (after about 3.5 minutes), and learns only windows of the new scene: the old reservoir went with the change.
        for (var s = 0; s < 899; s++)
        {
            Assert.False(detector.Observe(At(95), t)!.Value.IsAnomalous);
            t += Second;
        }

        Assert.Equal(2, detector.Generation);
        detector.Observe(At(95), t);
        Assert.Equal(3, detector.Generation);
        Assert.All(detector.Normal, n => Assert.True(n[0] < Math.Cos(85 * Math.PI / 180)));
    }

    [Fact]
    public void At_least_two_calibration_windows_are_needed()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new AnomalyDetector(1, null, 4, 0));
    }
}
