namespace StreamAnalytics.Heads.Appearance;

/// <summary>
/// Unsupervised, for one camera: the first windows it sees are taken as normal; afterwards a window's
/// score is its distance to the nearest normal window (<see cref="IWindowMetric"/>: the whole embedding by cosine
/// distance, or each cell of the feature map). The threshold is fixed, or learned as
/// mean + σ·std of the normal windows' own leave-one-out distances. Once calibrated it keeps learning slowly:
/// windows that raised nothing enter a reservoir (a uniform sample of those since the last refresh, Vitter's algorithm
/// R), and every refresh interval of footage half a reservoir's worth of them, chosen at random, joins the normal set,
/// and as many windows, old or new, leave it: those the rest covers best. A scene that drifts (daylight, a season) stays
/// familiar, what the camera still shows is not forgotten, and windows that alerted never enter it. The threshold stays
/// the one learned at calibration: a refresh changes what is normal, not how far from it is unusual. (Learned again from a refreshed set,
/// it fell in a live run: windows sampled over a short interval are closer to each other than the calibration's, and
/// the street camera raised a false incident at once.) A change that alerts and lasts (a parked car in view) would
/// never enter that way; once it has alerted for the lasting-change interval of footage, with no quiet stretch of
/// <see cref="ChangeBreak"/> or more (<see cref="LastingChangeRun"/>, the motion head's rule too), a sample of its windows that covers it (<see cref="CoveringSample"/>) replaces the normal set at once, as a calibration
/// on the change would, and it stops alerting. What the camera showed before is forgotten: its return is a change too.
/// </summary>
internal sealed class AnomalyDetector
{
    // A camera that was away (or a motion gate that held the backbone back) counts this much footage at most.
    private static readonly TimeSpan MaxWindowGap = TimeSpan.FromSeconds(30);

    /// <summary>Quiet footage that ends a lasting change: a score hovering at the threshold does not restart its count.</summary>
    public static readonly TimeSpan ChangeBreak = TimeSpan.FromSeconds(30);

    private readonly List<float[]> _normal;
    private readonly List<float[]> _reservoir;
    private readonly int _calibrationWindows;
    private readonly double? _fixedThreshold;
    private readonly double _sigma;
    private readonly double _minThreshold;
    private readonly TimeSpan? _refreshInterval;
    private readonly LastingChangeRun? _run;
    private readonly IWindowMetric _metric;

    // Windows of the change alerting now: a sample that keeps its moments covered.
    private readonly CoveringSample _change;

    // The window being scored, in the metric's form (a window of the map is 100 KB). Where a sample keeps it, the
    // array the sample let go of becomes the next one, so a camera allocates none once its samples are full.
    private float[] _window = [];

    // Fixed seed: which windows a camera keeps need not be random across runs, and tests can repeat it.
    private readonly Random _random = new(17);
    private long _offeredSinceRefresh;
    private long _quietSeen;
    private DateTimeOffset? _lastTime;
    private TimeSpan _footageSinceRefresh;

    /// <param name="refreshInterval">Footage between two refreshes of the normal set from the reservoir; null: it never learns after calibration.</param>
    /// <param name="lastingChange">Footage a change must keep alerting for before it is learned as normal; null: what alerts is never learned.</param>
    /// <param name="metric">How windows are compared; null: the whole embedding by cosine distance.</param>
    public AnomalyDetector(int calibrationWindows, double? fixedThreshold, double sigma, double minThreshold, TimeSpan? refreshInterval = null, TimeSpan? lastingChange = null, IWindowMetric? metric = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(calibrationWindows, 2);
        if (refreshInterval is { } interval)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero, nameof(refreshInterval));
        }

        if (lastingChange is { } lasting)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lasting, TimeSpan.Zero, nameof(lastingChange));
            _run = new LastingChangeRun(lasting, ChangeBreak);
        }

        _calibrationWindows = calibrationWindows;
        _fixedThreshold = fixedThreshold;
        _sigma = sigma;
        _minThreshold = minThreshold;
        _refreshInterval = refreshInterval;
        _normal = new List<float[]>(calibrationWindows);
        _reservoir = new List<float[]>(calibrationWindows);
        _metric = metric ?? WholeFrameMetric.Instance;
        _change = new CoveringSample(calibrationWindows, _metric);
    }

    /// <summary>
    /// A detector that starts calibrated on <paramref name="normal"/> (unit-length embeddings of an earlier calibration
    /// with as many windows), its threshold set under these settings from the calibration's <paramref name="spread"/>, or,
    /// without one, from the spread of <paramref name="normal"/> itself.
    /// </summary>
    public static AnomalyDetector Restore(int calibrationWindows, double? fixedThreshold, double sigma, double minThreshold, IReadOnlyList<float[]> normal, TimeSpan? refreshInterval = null, AnomalySpread? spread = null, TimeSpan? lastingChange = null, IWindowMetric? metric = null)
    {
        if (normal.Count != calibrationWindows)
        {
            throw new ArgumentException($"{normal.Count} saved windows, where {calibrationWindows} are calibrated on.", nameof(normal));
        }

        var detector = new AnomalyDetector(calibrationWindows, fixedThreshold, sigma, minThreshold, refreshInterval, lastingChange, metric);
        detector._normal.AddRange(normal);
        detector.Calibrated(spread);
        return detector;
    }

    /// <summary>The windows learned as normal, in the metric's form (unit-length embeddings, or unit-length cells): the calibration in the order seen, or the last refresh.</summary>
    public IReadOnlyList<float[]> Normal => _normal;

    /// <summary>How this detector compares windows; a region metric's scales are saved with the calibration.</summary>
    public IWindowMetric Metric => _metric;

    public bool IsCalibrated => _normal.Count >= _calibrationWindows;

    public int LearnedWindows => _normal.Count;

    /// <summary>Counts the complete normal sets this detector has had: 1 after calibration (or a restore), one more per refresh or lasting change learned. A caller saves when it changes.</summary>
    public int Generation { get; private set; }

    /// <summary>Lasting changes learned as normal since calibration (or the restore).</summary>
    public int ChangesLearned { get; private set; }

    /// <summary>How long the change alerting now has lasted (footage); zero when none is.</summary>
    public TimeSpan ChangeFootage => _run?.Footage ?? TimeSpan.Zero;

    /// <summary>How long the last change learned had alerted (footage) when it was learned.</summary>
    public TimeSpan LastChangeLearnedAfter { get; private set; }

    /// <summary>Windows that raised nothing since calibration (or the restore), each offered to the reservoir.</summary>
    public long QuietWindowsSeen => _quietSeen;

    /// <summary>NaN until calibrated.</summary>
    public double Threshold { get; private set; } = double.NaN;

    /// <summary>The calibration windows' leave-one-out nearest distances, which the learned threshold comes from; saved with the windows.</summary>
    public AnomalySpread Spread { get; private set; }

    /// <summary>Learns the embedding while calibrating (returns null), then scores it; <paramref name="time"/> is the window's capture time, which paces the refresh.</summary>
    public AnomalyScore? Observe(ReadOnlySpan<float> embedding, DateTimeOffset time)
    {
        if (_window.Length != embedding.Length)
        {
            _window = new float[embedding.Length];
        }

        var normalized = _window;
        _metric.Prepare(embedding, normalized);
        if (!IsCalibrated)
        {
            _normal.Add([.. normalized]);
            if (IsCalibrated)
            {
                Calibrated();
            }

            _lastTime = time;
            return null;
        }

        var score = _metric.Nearest(normalized, _normal, skip: -1);
        var anomalous = score > Threshold;
        var step = TimeSpan.Zero;
        if (_lastTime is { } last && time > last)
        {
            step = time - last;
            step = step < MaxWindowGap ? step : MaxWindowGap;
        }

        _lastTime = time;
        if (_refreshInterval is { } interval)
        {
            _footageSinceRefresh += step;
            if (!anomalous)
            {
                Offer(normalized);
            }

            if (_footageSinceRefresh >= interval && _offeredSinceRefresh > 0)
            {
                Refresh();
            }
        }

        if (_run is not null)
        {
            TrackChange(_run, normalized, anomalous, step);
        }

        return new AnomalyScore(score, Threshold, anomalous);
    }

    private void Calibrated(AnomalySpread? spread = null)
    {
        _metric.Calibrate(_normal);
        Spread = spread ?? LeaveOneOutSpread();
        Threshold = _fixedThreshold ?? Math.Max(_minThreshold, Spread.Mean + (_sigma * Spread.Std));
        Generation++;
    }

    private void Offer(float[] normalized)
    {
        _quietSeen++;
        Sample(_reservoir, _calibrationWindows, ++_offeredSinceRefresh, normalized);
    }

    private int HalfSet => (_calibrationWindows + 1) / 2;

    private void TrackChange(LastingChangeRun run, float[] normalized, bool anomalous, TimeSpan step)
    {
        var lasted = run.Observe(anomalous, step, out var started);
        if (started)
        {
            _change.Clear();
        }

        if (anomalous)
        {
            _window = _change.Offer(normalized) ?? new float[normalized.Length];
        }

        if (lasted)
        {
            // The whole set, as a calibration on the change: replacing half left the new scene covered half as densely as
            // a calibration, and on OpenCV's looped street with a box parked in view that raised a short false incident
            // about once a loop for as long as it stayed (LastingChangeFootageTests).
            ReplaceRandom([.. _change.Windows], _calibrationWindows);
            // Quiet windows from before the change describe a scene that is gone, and the next refresh comes a whole
            // interval of the new scene later.
            _reservoir.Clear();
            _offeredSinceRefresh = 0;
            _footageSinceRefresh = TimeSpan.Zero;
            ChangesLearned++;
            LastChangeLearnedAfter = run.Footage;
            run.End();
            _change.Clear();
            Generation++;
        }
    }

    /// <summary>Vitter's algorithm R: <paramref name="sample"/> stays a uniform sample of the <paramref name="offered"/> windows offered so far.</summary>
    private void Sample(List<float[]> sample, int capacity, long offered, float[] normalized)
    {
        if (sample.Count < capacity)
        {
            sample.Add([.. normalized]);
            return;
        }

        var slot = _random.NextInt64(offered);
        if (slot < sample.Count)
        {
            _window = sample[(int)slot];
            sample[(int)slot] = normalized;
        }
    }

    /// <summary><paramref name="slotsToReplace"/> random slots of the normal set take random windows of <paramref name="from"/>, or fewer where it holds fewer.</summary>
    private void ReplaceRandom(List<float[]> from, int slotsToReplace)
    {
        var replaced = Math.Min(slotsToReplace, from.Count);
        var slots = Enumerable.Range(0, _normal.Count).ToArray();
        _random.Shuffle(slots);
        _random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(from));
        for (var i = 0; i < replaced; i++)
        {
            _normal[slots[i]] = from[i];
        }
    }

    /// <summary>
    /// <paramref name="count"/> random windows of <paramref name="from"/> (or all, where it holds fewer) join the normal
    /// set, and as many leave it again, old or new: one at a time, the window nearest to another one still there. The set
    /// keeps its size and loses what the rest covers best. A random half of it used to leave instead, which left gaps in
    /// what the camera still shows: on the demo's looped street, whose calibration held each moment of the loop about
    /// once, the clip then raised an incident nearly every loop after the first refresh
    /// (bench/StreamAnalytics.AppearanceCalibration, 48 loops: 22 in the 31 minutes after it). A window that nothing
    /// since has come near stays, so a scene seen at calibration and not since (daylight, at night) stays familiar.
    /// </summary>
    private void ReplaceRedundant(List<float[]> from, int count)
    {
        var incoming = Math.Min(count, from.Count);
        _random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(from));
        var pool = new CoveringSample(_normal.Count, _metric);
        foreach (var window in _normal.Concat(from.Take(incoming)))
        {
            pool.Add(window);
        }

        pool.TrimTo(_normal.Count);
        _normal.Clear();
        _normal.AddRange(pool.Windows);
    }

    private void Refresh()
    {
        ReplaceRedundant(_reservoir, HalfSet);
        _reservoir.Clear();
        _footageSinceRefresh = TimeSpan.Zero;
        _offeredSinceRefresh = 0;
        Generation++;
    }

    private AnomalySpread LeaveOneOutSpread()
    {
        var distances = new double[_normal.Count];
        for (var i = 0; i < _normal.Count; i++)
        {
            distances[i] = _metric.Nearest(_normal[i], _normal, skip: i);
        }

        var mean = distances.Average();
        return new AnomalySpread(mean, Math.Sqrt(distances.Sum(d => (d - mean) * (d - mean)) / distances.Length));
    }
}
