using StreamAnalytics.Contracts;
using StreamAnalytics.Inference;

namespace StreamAnalytics.Heads.Action;

/// <summary>
/// For a model that classifies actions itself (a clip model's output with role <c>classLogits</c>): softmax, then
/// <c>Detection.Action</c>'s per-label thresholds (<see cref="ActionRule"/>).
/// </summary>
internal sealed class ClassLogitsWindowHead(ActionRule rule) : IWindowHead
{
    public const string HeadName = "softmax-threshold";
    public const string HeadVersion = "1";

    public string Name => HeadName;

    /// <summary>An action is motion, and the head's figures come from every window: no camera gates while it runs.</summary>
    public bool NeedsEveryWindow => true;

    public void Evaluate(in WindowOutputs window, ICollection<HeadResult> results)
    {
        for (var o = 0; o < window.Model.Outputs.Count; o++)
        {
            var spec = window.Model.Outputs[o];
            if (spec.Role == OutputRole.ClassLogits)
            {
                foreach (var (label, probability, limit, above) in rule.Evaluate(window.Outputs[o], spec.Labels))
                {
                    results.Add(new HeadResult(HeadName, HeadVersion, HeadKind.Action, label, probability, limit, above));
                }
            }
        }
    }

    public void Dispose()
    {
        // Holds nothing.
    }
}
