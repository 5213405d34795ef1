using StreamAnalytics.Detection;
using StreamAnalytics.Heads.Motion;
using StreamAnalytics.Tools.Anomaly;

namespace StreamAnalytics.MotionSweep;

/// <summary>Features, leave-one-video-out held-out scores and test AUC for one candidate, through the product's own classes.</summary>
internal static class CandidateEvaluator
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    /// <summary>Per video, the features of every frame that has a predecessor (what <c>learn</c> collects).</summary>
    public static List<IReadOnlyList<float[]>> Features(MotionFeatureOptions options, IReadOnlyList<DecodedVideo> videos)
    {
        using var extractor = new MotionFeatureExtractor(options);
        var buffer = new float[extractor.FeatureLength];
        var perVideo = new List<IReadOnlyList<float[]>>();
        foreach (var video in videos)
        {
            extractor.Reset();
            var frames = new List<float[]>();
            Footage.Replay(video, frame =>
            {
                var hasMotion = extractor.HasPrevious;
                extractor.Process(frame, buffer);
                if (hasMotion)
                {
                    frames.Add(buffer.ToArray());
                }
            });
            perVideo.Add(frames);
        }

        return perVideo;
    }

    /// <summary>
    /// Each video's frames scored by a model learned (<see cref="MotionNormalityLearner"/>, default options) on all the
    /// other videos, smoothed by the trailing mean as <see cref="MotionAnomalyHead"/> does; all videos concatenated in order.
    /// </summary>
    public static List<double> HeldOutScores(IReadOnlyList<IReadOnlyList<float[]>> perVideo, MotionFeatureOptions options)
    {
        var learning = new MotionNormalityOptions();
        var scores = new List<double>();
        for (var held = 0; held < perVideo.Count; held++)
        {
            var others = perVideo.Where((_, v) => v != held).ToList();
            var model = MotionNormalityLearner.Learn(others, options, learning, "sweep", Epoch);
            var scratch = new float[model.ScratchLength];
            var mean = new TrailingMean(model.SmoothingFrames);
            foreach (var features in perVideo[held])
            {
                scores.Add(mean.Add(model.Score(features, scratch)));
            }
        }

        return scores;
    }

    /// <summary>Learns on all of <paramref name="perVideo"/> and scores the labelled videos through <see cref="MotionAnomalyHead"/>: pooled frame AUC, reported (smoothed) and raw.</summary>
    public static (double Auc, double AucRaw, double Threshold) Test(
        IReadOnlyList<IReadOnlyList<float[]>> perVideo,
        MotionFeatureOptions options,
        IReadOnlyList<(DecodedVideo Video, AnomalyVideoLabels Labels)> test)
    {
        var model = MotionNormalityLearner.Learn(perVideo, options, new MotionNormalityOptions(), "sweep", Epoch);
        var scores = new List<double>();
        var raw = new List<double>();
        var truth = new List<bool>();
        foreach (var (video, labels) in test)
        {
            using var head = new MotionAnomalyHead(model);
            Footage.Replay(video, frame =>
            {
                var s = head.Process(frame);
                scores.Add(s.Score);
                raw.Add(s.RawScore);
                truth.Add(labels.IsAnomalous(s.Sequence));
            });
        }

        return (RocAuc.Compute(scores.ToArray(), truth.ToArray()), RocAuc.Compute(raw.ToArray(), truth.ToArray()), model.Threshold);
    }
}
