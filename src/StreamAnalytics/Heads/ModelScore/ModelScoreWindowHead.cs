using StreamAnalytics.Contracts;
using StreamAnalytics.Inference;

namespace StreamAnalytics.Heads.ModelScore;

/// <summary>
/// For a model that scores anomalies itself (an output with role <c>anomalyScore</c>): that score against the
/// fixed <c>Detection.Anomaly.Threshold</c>; the event's label is the output's name.
/// </summary>
internal sealed class ModelScoreWindowHead(double threshold) : IWindowHead
{
    public const string HeadName = "model-score";
    public const string HeadVersion = "1";

    public string Name => HeadName;

    public void Evaluate(in WindowOutputs window, ICollection<HeadResult> results)
    {
        for (var o = 0; o < window.Model.Outputs.Count; o++)
        {
            var spec = window.Model.Outputs[o];
            if (spec.Role == OutputRole.AnomalyScore)
            {
                var score = window.Outputs[o][0];
                results.Add(new HeadResult(HeadName, HeadVersion, HeadKind.Anomaly, spec.Name, score, threshold, score > threshold));
            }
        }
    }

    public void Dispose()
    {
        // Holds nothing.
    }
}
