using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Inference;
using StreamAnalytics.Observability;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Heads.Motion;

/// <summary>
/// The motion anomaly detector: a frame head for every camera with a learned state (<c>Cameras[i].MotionState</c>,
/// from <c>streamanalytics learn</c>). States are read at start; one learned with other feature settings is refused.
/// </summary>
internal sealed class MotionHeadModule : IHeadModule
{
    // Cameras added through the API load their state on the request's thread while cameras start on others.
    private readonly ConcurrentDictionary<string, MotionNormalityModel> _states = new(StringComparer.Ordinal);

    public string Name => "motion";

    /// <summary>Learned states, by camera id, for the cameras that have one.</summary>
    public IReadOnlyDictionary<string, MotionNormalityModel> States => _states;

    public void Check(HeadContext context, ICollection<string> problems)
    {
        foreach (var camera in context.Options.Cameras)
        {
            CheckCamera(camera, problems);
        }
    }

    public void CheckCamera(CameraOptions camera, ICollection<string> problems)
    {
        if (camera.MotionState is null)
        {
            _states.TryRemove(camera.Id, out _);
            return;
        }

        var path = ConfiguredPath.Resolve(camera.MotionState);
        try
        {
            // Refuses a state learned with other feature settings than this build extracts.
            _states[camera.Id] = MotionStateFile.Load(path, new MotionFeatureOptions());
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            problems.Add($"Camera '{camera.Id}': MotionState '{path}' cannot be used: {ex.Message}");
        }
    }

    public void Load(HeadContext context, OnnxModel backbone, ICollection<string> problems)
    {
        // Needs nothing from the backbone: motion is measured on the decoded frames.
    }

    /// <summary>Its state was learned by <c>learn</c> on frames at the file's size; live must see the same frames to score as offline does.</summary>
    public bool NeedsSourceResolution(CameraOptions camera) => camera.MotionState is not null;

    public IFrameHead? CreateFrameHead(CameraOptions camera) =>
        _states.TryGetValue(camera.Id, out var state) ? new MotionAnomalyHead(state) : null;

    public IWindowHead? CreateWindowHead(PipelineMetrics metrics, ILoggerFactory loggers) => null;

    public string? Describe() => null;

    public void Dispose()
    {
        // States are plain arrays.
    }
}
