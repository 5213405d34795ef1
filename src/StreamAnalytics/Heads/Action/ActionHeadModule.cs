using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Inference;
using StreamAnalytics.Observability;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Heads.Action;

/// <summary>
/// A supervised action head model (<c>Model.ActionHead</c>, e.g. the fight detector) over the backbone's per-frame
/// outputs. Its manifest is checked against the cameras and the backbone with every other problem; the head model
/// is loaded once the backbone is.
/// </summary>
internal sealed class ActionHeadModule : IHeadModule
{
    private ModelManifest? _manifest;
    private ActionOptions? _options;

    public string Name => "action-head";

    /// <summary>The loaded head model; null when <c>Model.ActionHead</c> is not set.</summary>
    public ActionHead? Head { get; private set; }

    public void Check(HeadContext context, ICollection<string> problems)
    {
        _options = context.Options.Detection.Action;
        if (string.IsNullOrWhiteSpace(context.Options.Model.ActionHead))
        {
            return;
        }

        try
        {
            var head = ModelManifestLoader.Load(ConfiguredPath.Resolve(context.Options.Model.ActionHead));
            var mismatches = ActionHeadChecks.Collect(context.Options, head, context.Backbone);
            foreach (var mismatch in mismatches)
            {
                problems.Add(mismatch);
            }

            _manifest = mismatches.Count == 0 ? head : null;
        }
        catch (ModelManifestException ex)
        {
            foreach (var problem in ex.Problems)
            {
                problems.Add($"Model.ActionHead manifest '{ex.ManifestPath}': {problem}");
            }
        }
    }

    public void Load(HeadContext context, OnnxModel backbone, ICollection<string> problems)
    {
        if (_manifest is null)
        {
            return;
        }

        try
        {
            // On CPU with one thread whatever the backbone uses: its input comes from the CPU recipe, and one small
            // product per window (4,100 × 2 for the fight head) gains nothing from a device copy, or from threads
            // that would spin beside the backbone's.
            Head = ActionHead.Load(_manifest, backbone, "cpu", 0, 1, 1, context.Loggers.CreateLogger("StreamAnalytics.Inference.OnnxModel"));
        }
        catch (ModelManifestException ex)
        {
            foreach (var problem in ex.Problems)
            {
                problems.Add($"Model.ActionHead manifest '{ex.ManifestPath}': {problem}");
            }
        }
    }

    public IFrameHead? CreateFrameHead(CameraOptions camera) => null;

    public IWindowHead? CreateWindowHead(PipelineMetrics metrics, ILoggerFactory loggers) =>
        Head is { } head ? new ActionWindowHead(head, new ActionRule(_options!), metrics.InferenceDuration.WithLabels(head.Manifest.Name)) : null;

    public string? Describe() => Head is { Manifest: var h } ? $"action head '{h.Name}' {h.Version}" : null;

    public void Dispose() => Head?.Dispose();
}
