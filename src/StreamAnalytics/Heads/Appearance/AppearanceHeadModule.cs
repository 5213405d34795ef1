using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Inference;
using StreamAnalytics.Observability;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Heads.Appearance;

/// <summary>The appearance anomaly detector (<c>Detection.Anomaly</c>), on models with an <c>embedding</c> output.</summary>
internal sealed class AppearanceHeadModule : IHeadModule
{
    private HeadContext? _context;
    private AppearanceWindowHead? _head;

    public string Name => "appearance";

    public void Check(HeadContext context, ICollection<string> problems) => _context = context;

    public void Load(HeadContext context, OnnxModel backbone, ICollection<string> problems) => _context = context;

    public IFrameHead? CreateFrameHead(CameraOptions camera) => null;

    public IWindowHead? CreateWindowHead(PipelineMetrics metrics, ILoggerFactory loggers)
    {
        if (_context is not { Options.Detection.Anomaly: { Enabled: true } anomaly } context)
        {
            return null;
        }

        _head = new AppearanceWindowHead(anomaly, loggers.CreateLogger<AppearanceWindowHead>(), context.Options.Pipeline.StateDirectory, metrics.AppearanceRelearned);
        return _head;
    }

    public string? Describe() => null;

    public void Dispose() => _head?.Dispose();
}
