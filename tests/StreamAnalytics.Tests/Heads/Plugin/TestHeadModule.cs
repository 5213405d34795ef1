using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Heads;
using StreamAnalytics.Inference;
using StreamAnalytics.Observability;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Heads.Plugin;

/// <summary>
/// A detector registered from the test assembly: a frame head on the cameras it is given, and a window head.
/// Its options come through its constructor (a shipped head reads its own section of the configuration).
/// </summary>
internal sealed class TestHeadModule(IReadOnlySet<string> cameras, double brightnessThreshold, double normThreshold) : IHeadModule
{
    private readonly List<BrightnessFrameHead> _frameHeads = [];

    public string Name => "test";

    public bool Checked { get; private set; }

    public OnnxModel? Backbone { get; private set; }

    public IReadOnlyList<BrightnessFrameHead> FrameHeads => _frameHeads;

    public EmbeddingNormWindowHead? WindowHead { get; private set; }

    /// <summary>When set, <see cref="Check"/> reports it, as a head with a bad option would.</summary>
    public string? Problem { get; init; }

    public void Check(HeadContext context, ICollection<string> problems)
    {
        Checked = true;
        if (Problem is not null)
        {
            problems.Add(Problem);
        }
    }

    public void Load(HeadContext context, OnnxModel backbone, ICollection<string> problems) => Backbone = backbone;

    public IFrameHead? CreateFrameHead(CameraOptions camera)
    {
        if (!cameras.Contains(camera.Id))
        {
            return null;
        }

        var head = new BrightnessFrameHead(brightnessThreshold);
        _frameHeads.Add(head);
        return head;
    }

    public IWindowHead? CreateWindowHead(PipelineMetrics metrics, ILoggerFactory loggers) => WindowHead = new EmbeddingNormWindowHead(normThreshold);

    public string? Describe() => "test heads";

    public void Dispose()
    {
        // The pipeline disposes the frame heads; the window head holds nothing.
    }
}
