using StreamAnalytics.Contracts;
using StreamAnalytics.Inference;

namespace StreamAnalytics.Heads.Action;

/// <summary>
/// The live action head (<c>Model.ActionHead</c>): the recipe's features from the window's frames' backbone
/// outputs, the head model's logits, then <c>Detection.Action</c>'s thresholds. Events name the head model.
/// Its time, recipe included, is observed under the head's name in the inference duration histogram.
/// </summary>
internal sealed class ActionWindowHead(ActionHead head, ActionRule rule, Prometheus.Histogram.Child duration) : IWindowHead
{
    public string Name => head.Manifest.Name;

    /// <summary>An action is motion, and the head's figures come from every window: no camera gates while it runs.</summary>
    public bool NeedsEveryWindow => true;

    public void Evaluate(in WindowOutputs window, ICollection<HeadResult> results)
    {
        if (window.Window is not { } frames)
        {
            throw new ArgumentException($"Action head '{Name}' reads the window's frames; window {window.WindowIndex} of camera '{window.CameraId}' has none.", nameof(window));
        }

        var start = System.Diagnostics.Stopwatch.GetTimestamp();
        var logits = head.Logits(frames);
        duration.Observe(System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalSeconds);
        foreach (var (label, probability, limit, above) in rule.Evaluate(logits, head.Labels))
        {
            results.Add(new HeadResult(head.Manifest.Name, head.Manifest.Version, HeadKind.Action, label, probability, limit, above));
        }
    }

    public void Dispose()
    {
        // The module owns the head model.
    }
}
