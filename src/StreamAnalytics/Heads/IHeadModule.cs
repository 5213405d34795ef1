using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Inference;
using StreamAnalytics.Observability;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Heads;

/// <summary>
/// One detector as the host sees it: its start-up checks, and the heads it adds to the pipeline. A frame head
/// (<see cref="IFrameHead"/>) runs in each camera's windowing on every decoded frame; a window head
/// (<see cref="IWindowHead"/>) runs in the inference stage on every window's model outputs. A detector needs
/// one folder under <c>Heads/</c>, its options, and one line in <c>HeadModules</c>.
/// </summary>
internal interface IHeadModule : IDisposable
{
    /// <summary>A short name for logs, e.g. <c>motion</c>.</summary>
    string Name { get; }

    /// <summary>
    /// Before the backbone loads: reads this detector's options and files and adds every problem found,
    /// naming the camera or section, so all of them are reported with the configuration's own.
    /// </summary>
    void Check(HeadContext context, ICollection<string> problems);

    /// <summary>
    /// Checks what this detector needs of one camera (a learned state it reads, say) and loads it, adding every problem
    /// found. <see cref="Check"/> runs it for the configured cameras; the API runs it for a camera added at run time.
    /// </summary>
    void CheckCamera(CameraOptions camera, ICollection<string> problems)
    {
    }

    /// <summary>
    /// Whether this detector reads <paramref name="camera"/>'s frames at the source's own size, so that
    /// <c>Pipeline.DecodeSize: auto</c> must not have ffmpeg shrink them (a head learned offline on full frames).
    /// </summary>
    bool NeedsSourceResolution(CameraOptions camera) => false;

    /// <summary>Once the backbone is loaded and nothing is wrong so far: loads what needs the backbone (a head model).</summary>
    void Load(HeadContext context, OnnxModel backbone, ICollection<string> problems);

    /// <summary>The frame head for <paramref name="camera"/>, or null where this detector has none for it. The caller disposes it.</summary>
    IFrameHead? CreateFrameHead(CameraOptions camera);

    /// <summary>The window head for this run of the pipeline, or null where this detector has none. The module owns it. <paramref name="loggers"/> lives as long as the pipeline.</summary>
    IWindowHead? CreateWindowHead(PipelineMetrics metrics, ILoggerFactory loggers);

    /// <summary>One phrase for the start-up line of <c>check</c>, e.g. "action head 'fight-detector' 1.0.0"; null to say nothing.</summary>
    string? Describe();
}
