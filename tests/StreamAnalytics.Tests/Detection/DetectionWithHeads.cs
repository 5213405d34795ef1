using StreamAnalytics.Configuration;
using StreamAnalytics.Contracts;
using StreamAnalytics.Detection;
using StreamAnalytics.Heads.Action;
using StreamAnalytics.Heads.Appearance;
using StreamAnalytics.Heads.ModelScore;
using StreamAnalytics.Inference;
using StreamAnalytics.Tests.Fakes;

namespace StreamAnalytics.Tests.Detection;

/// <summary>
/// A detection stage behind the shipped window heads that read model outputs, as the pipeline runs them (the
/// inference stage evaluates the heads, detection turns their verdicts into incidents), for tests that speak in
/// model outputs.
/// </summary>
internal sealed class DetectionWithHeads(DetectionStage stage, DetectionOptions options)
{
    private readonly List<IWindowHead> _heads = Heads(options);
    private readonly ActionRule _rule = new(options.Action);

    public DetectionStage Stage => stage;

    public List<DetectionEvent> Evaluate(WindowInference result) => stage.Evaluate(Headed(result));

    /// <summary><paramref name="result"/> with the verdicts of the heads on its outputs added.</summary>
    public WindowInference Headed(WindowInference result)
    {
        var heads = new List<HeadResult>(result.Heads);
        var view = new WindowOutputs(result.CameraId, result.WindowIndex, result.LastCaptureTime, result.Model, result.Outputs, null);
        foreach (var head in _heads)
        {
            head.Evaluate(view, heads);
        }

        return result with { Heads = heads };
    }

    /// <summary><paramref name="result"/> with an action head model's verdicts on <paramref name="logits"/>, as <see cref="ActionWindowHead"/> gives them.</summary>
    public WindowInference WithActionHead(WindowInference result, ModelManifest head, IReadOnlyList<string> labels, float[] logits) =>
        Headed(result) is var headed
            ? headed with { Heads = [.. headed.Heads, .. _rule.Evaluate(logits, labels).Select(e => new HeadResult(head.Name, head.Version, HeadKind.Action, e.Label, e.Probability, e.Threshold, e.Above))] }
            : result;

    private static List<IWindowHead> Heads(DetectionOptions options)
    {
        var heads = new List<IWindowHead>();
        if (options.Anomaly.Enabled)
        {
            heads.Add(new AppearanceWindowHead(options.Anomaly, new CapturingLogger()));
            if (options.Anomaly.Threshold is { } threshold)
            {
                heads.Add(new ModelScoreWindowHead(threshold));
            }
        }

        heads.Add(new ClassLogitsWindowHead(new ActionRule(options.Action)));
        return heads;
    }
}
