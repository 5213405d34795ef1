using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Inference;
using StreamAnalytics.Observability;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Heads.ModelScore;

/// <summary>A model's own anomaly score, thresholded; on only when <c>Detection.Anomaly.Threshold</c> is set.</summary>
internal sealed class ModelScoreHeadModule : IHeadModule
{
    private AnomalyOptions? _options;

    public string Name => "model-score";

    public void Check(HeadContext context, ICollection<string> problems) => _options = context.Options.Detection.Anomaly;

    public void Load(HeadContext context, OnnxModel backbone, ICollection<string> problems)
    {
        // The score is the model's own output.
    }

    public IFrameHead? CreateFrameHead(CameraOptions camera) => null;

    public IWindowHead? CreateWindowHead(PipelineMetrics metrics, ILoggerFactory loggers) =>
        _options is { Enabled: true, Threshold: { } threshold } ? new ModelScoreWindowHead(threshold) : null;

    public string? Describe() => null;

    public void Dispose()
    {
        // Holds nothing.
    }
}
