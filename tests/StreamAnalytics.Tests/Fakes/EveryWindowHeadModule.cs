using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Heads;
using StreamAnalytics.Inference;
using StreamAnalytics.Observability;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Fakes;

/// <summary>A detector whose only head is an <see cref="EveryWindowHead"/>.</summary>
internal sealed class EveryWindowHeadModule : IHeadModule
{
    public string Name => "every-window";

    public EveryWindowHead? Head { get; private set; }

    public void Check(HeadContext context, ICollection<string> problems)
    {
        // No options.
    }

    public void Load(HeadContext context, OnnxModel backbone, ICollection<string> problems)
    {
        // No model of its own.
    }

    public IFrameHead? CreateFrameHead(CameraOptions camera) => null;

    public IWindowHead? CreateWindowHead(PipelineMetrics metrics, ILoggerFactory loggers) => Head = new EveryWindowHead();

    public string? Describe() => null;

    public void Dispose()
    {
        // The head holds nothing.
    }
}
