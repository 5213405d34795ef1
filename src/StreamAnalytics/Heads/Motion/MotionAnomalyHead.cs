using StreamAnalytics.Contracts;
using StreamAnalytics.Ingest;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Heads.Motion;

/// <summary>
/// The motion anomaly head for one camera: feature extraction, the camera's learned normality model,
/// and causal smoothing, frame by frame. The live pipeline and the offline <c>score</c>/<c>eval</c>
/// commands both score through this class, so the same frames give the same scores. Every decoded
/// frame should reach it in order: a skipped frame makes the next flow span two frame intervals.
/// </summary>
internal sealed class MotionAnomalyHead : IFrameHead
{
    private readonly MotionNormalityModel _model;
    private readonly MotionFeatureExtractor _extractor;
    private readonly TrailingMean _mean;
    private readonly float[] _features;
    private readonly float[] _scratch;

    public MotionAnomalyHead(MotionNormalityModel model)
    {
        _model = model;
        _extractor = new MotionFeatureExtractor(model.FeatureOptions);
        _mean = new TrailingMean(model.SmoothingFrames);
        _features = new float[_extractor.FeatureLength];
        _scratch = new float[model.ScratchLength];
    }

    public MotionNormalityModel Model => _model;

    public string Name => "motion-knn";

    public string Version => "1";

    public string Kind => HeadKind.Anomaly;

    public string Label => AnomalyKind.Motion;

    public double Threshold => _model.Threshold;

    /// <summary>Scores <paramref name="frame"/> (not disposed here). Allocates nothing.</summary>
    public FrameHeadScore Process(Frame frame)
    {
        var hasMotion = _extractor.HasPrevious;
        _extractor.Process(frame, _features);
        if (!hasMotion)
        {
            return new FrameHeadScore(frame.Sequence, false, 0, 0, _model.Threshold);
        }

        double raw = _model.Score(_features, _scratch);
        return new FrameHeadScore(frame.Sequence, true, raw, _mean.Add(raw), _model.Threshold);
    }

    /// <summary>Starts afresh (a new video, or a camera that reconnected): no flow across the gap, no mean over it.</summary>
    public void Reset()
    {
        _extractor.Reset();
        _mean.Reset();
    }

    public void Dispose() => _extractor.Dispose();
}
