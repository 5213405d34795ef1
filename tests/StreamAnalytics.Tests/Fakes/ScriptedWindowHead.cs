using StreamAnalytics.Contracts;
using StreamAnalytics.Inference;

namespace StreamAnalytics.Tests.Fakes;

/// <summary>A window head whose verdicts are given in advance, one per window it sees: score 1 (above 0.5) or 0.</summary>
internal sealed class ScriptedWindowHead(params bool[] verdicts) : IWindowHead
{
    public const string HeadName = "scripted";

    private int _next;

    public string Name => HeadName;

    public List<long> SeenWindows { get; } = [];

    public void Evaluate(in WindowOutputs window, ICollection<HeadResult> results)
    {
        SeenWindows.Add(window.WindowIndex);
        var above = verdicts[_next++];
        results.Add(new HeadResult(HeadName, "1", HeadKind.Anomaly, AnomalyKind.Appearance, above ? 1 : 0, 0.5, above));
    }

    public void Dispose()
    {
        // Holds nothing.
    }
}
