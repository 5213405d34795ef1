using StreamAnalytics.Contracts;
using StreamAnalytics.Ingest;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Heads.Motion;

/// <summary>
/// The motion anomaly head for one camera: feature extraction, the camera's normality model, and causal
/// smoothing, frame by frame. The live pipeline and the offline <c>score</c>/<c>eval</c> commands both score
/// through this class, so the same frames give the same scores. Live, it also learns (<see cref="LiveMotionLearning"/>):
/// without a model it scores nothing until it has learned one, and afterwards quiet frames refine it.
/// Every decoded frame should reach it in order, stamped with its capture time: it picks the frames to measure itself
/// (<see cref="MotionFeatureOptions.MaxFps"/>).
/// </summary>
internal sealed class MotionAnomalyHead : IFrameHead
{
    private readonly MotionFeatureExtractor _extractor;
    private readonly LiveMotionLearning? _learning;
    private readonly float[] _features;
    private readonly float[] _cellWeights;
    private readonly MotionScoring _scoring;
    private TrailingMean _mean;
    private MotionNormalityModel? _model;
    private float[] _scratch;
    private FrameHeadScore _last;

    /// <summary>Scores with <paramref name="model"/> and learns nothing (the offline commands, a seeded camera without learning).</summary>
    public MotionAnomalyHead(MotionNormalityModel model, MotionScoring? scoring = null)
        : this(model.FeatureOptions, model, null, scoring)
    {
    }

    /// <summary>Live: scores with <paramref name="model"/> when there is one, and learns through <paramref name="learning"/>.</summary>
    /// <param name="scoring">The camera's sensitivity, zones and least number of unusual cells; null: the learned threshold as it is.</param>
    public MotionAnomalyHead(MotionFeatureOptions features, MotionNormalityModel? model, LiveMotionLearning? learning, MotionScoring? scoring = null)
    {
        if (model is null && learning is null)
        {
            throw new ArgumentException("A motion head needs a model, a way to learn one, or both.", nameof(model));
        }

        _extractor = new MotionFeatureExtractor(features);
        _scoring = scoring ?? MotionScoring.Default;
        _cellWeights = _scoring.CellWeights(features);
        _features = new float[_extractor.FeatureLength];
        _learning = learning;
        _mean = new TrailingMean(model?.SmoothingFrames ?? learning!.SmoothingFrames);
        _scratch = [];
        _last = new FrameHeadScore(0, false, 0, 0, double.NaN);
        if (model is not null)
        {
            Adopt(model);
        }
    }

    /// <summary>The model it scores with now; null while a camera learns its first one.</summary>
    public MotionNormalityModel? Model => _model;

    public string Name => "motion-knn";

    public string Version => "1";

    public string Kind => HeadKind.Anomaly;

    public string Label => AnomalyKind.Motion;

    /// <summary>The learned threshold over the camera's sensitivity; NaN while learning.</summary>
    public double Threshold => _model is { } model ? model.Threshold / _scoring.Sensitivity : double.NaN;

    /// <summary>Scores <paramref name="frame"/> (not disposed here). Allocates nothing, except once when a newly learned model is taken up.</summary>
    public FrameHeadScore Process(Frame frame)
    {
        if (_learning is not null && _learning.TryTakeModel(out var learned))
        {
            Adopt(learned);
        }

        if (!_extractor.Admit(frame.CaptureTime))
        {
            // Between measured frames (MaxFps): the last measurement stands, so incidents see time pass.
            return _last with { Sequence = frame.Sequence };
        }

        _last = Measure(frame);
        return _last;
    }

    private FrameHeadScore Measure(Frame frame)
    {
        var hasMotion = _extractor.HasPrevious;
        _extractor.Process(frame, _features);
        var model = _model;
        var threshold = Threshold;
        if (!hasMotion)
        {
            return new FrameHeadScore(frame.Sequence, false, 0, 0, threshold);
        }

        if (model is null)
        {
            _learning!.Observe(frame.CaptureTime, _features, quiet: true);
            return new FrameHeadScore(frame.Sequence, false, 0, 0, double.NaN);
        }

        double raw = model.Score(_features, _scratch, _cellWeights, _scoring.MinCells);
        var smoothed = _mean.Add(raw);

        // Quiet by the learned threshold, not the tuned one: how an operator reads alerts does not change what is learned.
        _learning?.Observe(frame.CaptureTime, _features, quiet: smoothed <= model.Threshold);
        return new FrameHeadScore(frame.Sequence, true, raw, smoothed, threshold);
    }

    /// <summary>Starts afresh (a new video, or a camera that reconnected): no flow across the gap, no mean over it.</summary>
    public void Reset()
    {
        _extractor.Reset();
        _mean.Reset();
        _last = new FrameHeadScore(0, false, 0, 0, Threshold);
        _learning?.Reset();
    }

    public void Dispose()
    {
        _learning?.Dispose();
        _extractor.Dispose();
    }

    private void Adopt(MotionNormalityModel model)
    {
        if (model.FeatureOptions != _extractor.Options)
        {
            throw new ArgumentException("The model was learned with other motion feature settings than this head extracts.", nameof(model));
        }

        _model = model;
        _scratch = new float[model.ScratchLength];
        if (_mean.Length != model.SmoothingFrames)
        {
            _mean = new TrailingMean(model.SmoothingFrames);
        }
    }
}
