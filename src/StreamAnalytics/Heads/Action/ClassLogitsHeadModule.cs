using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Inference;
using StreamAnalytics.Observability;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Heads.Action;

/// <summary>Action events from a model's own class logits (a clip model such as r3d_18), thresholded by <c>Detection.Action</c>.</summary>
internal sealed class ClassLogitsHeadModule : IHeadModule
{
    private HeadContext? _context;

    public string Name => "class-logits";

    public void Check(HeadContext context, ICollection<string> problems) => _context = context;

    public void Load(HeadContext context, OnnxModel backbone, ICollection<string> problems) => _context = context;

    public IFrameHead? CreateFrameHead(CameraOptions camera) => null;

    public IWindowHead? CreateWindowHead(PipelineMetrics metrics, ILoggerFactory loggers) =>
        _context is { Backbone: { } model } context && model.Outputs.Any(o => o.Role == OutputRole.ClassLogits)
            ? new ClassLogitsWindowHead(new ActionRule(context.Options.Detection.Action))
            : null;

    public string? Describe() => null;

    public void Dispose()
    {
        // Holds nothing.
    }
}
