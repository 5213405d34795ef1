using StreamAnalytics.Configuration;

namespace StreamAnalytics.Heads.Action;

/// <summary>Softmax over a model's class logits, then a per-label probability threshold.</summary>
internal sealed class ActionRule(ActionOptions options)
{
    public IEnumerable<(string Label, double Probability, double Threshold)> Matches(ReadOnlySpan<float> logits, IReadOnlyList<string> labels) =>
        [.. Evaluate(logits, labels).Where(e => e.Above).Select(e => (e.Label, e.Probability, e.Threshold))];

    /// <summary>Every label that has a threshold, above it or not (an incident needs to see both).</summary>
    public List<(string Label, double Probability, double Threshold, bool Above)> Evaluate(ReadOnlySpan<float> logits, IReadOnlyList<string> labels)
    {
        if (logits.Length != labels.Count)
        {
            throw new ArgumentException($"{logits.Length} logits for {labels.Count} labels.");
        }

        var probabilities = new float[logits.Length];
        System.Numerics.Tensors.TensorPrimitives.SoftMax(logits, probabilities);
        var evaluations = new List<(string, double, double, bool)>();
        for (var i = 0; i < labels.Count; i++)
        {
            var threshold = options.Thresholds.TryGetValue(labels[i], out var t) ? t : options.DefaultThreshold;
            if (threshold is { } limit)
            {
                evaluations.Add((labels[i], probabilities[i], limit, probabilities[i] >= limit));
            }
        }

        return evaluations;
    }
}
