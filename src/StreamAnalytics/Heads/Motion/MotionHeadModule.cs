using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using StreamAnalytics.Configuration;
using StreamAnalytics.Contracts;
using StreamAnalytics.Inference;
using StreamAnalytics.Observability;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Heads.Motion;

/// <summary>
/// The motion anomaly detector, a frame head for every camera (<c>Detection.Motion</c>, on by default). A camera learns
/// its own normal motion live and keeps it in <c>&lt;Pipeline.StateDirectory&gt;/motion/&lt;camera&gt;.state</c>; a state
/// learned offline (<c>Cameras[i].MotionState</c>, from <c>streamanalytics learn</c>) seeds it instead. States are read
/// at start: a seed that cannot be used is a configuration error; a saved live state learned with other feature
/// settings is refused with a warning and the camera learns again.
/// </summary>
internal sealed partial class MotionHeadModule : IHeadModule, ICameraLearning
{
    private MotionFeatureOptions _features = new();

    // Cameras added through the API load their states on the request's thread while cameras start on others.
    private readonly ConcurrentDictionary<string, MotionNormalityModel> _seeds = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MotionNormalityModel> _saved = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _refused = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, LiveMotionLearning> _learning = new(StringComparer.Ordinal);
    private MotionOptions _options = new();
    private string _stateDirectory = new PipelineOptions().StateDirectory;
    private ILoggerFactory _loggers = NullLoggerFactory.Instance;
    private Prometheus.Counter? _relearned;

    public string Name => "motion";

    /// <summary>Offline-learned states (<c>MotionState</c>), by camera id, for the cameras that have one.</summary>
    public IReadOnlyDictionary<string, MotionNormalityModel> States => _seeds;

    /// <summary>Each running camera's live learning, by camera id (tests and diagnostics).</summary>
    public IReadOnlyDictionary<string, LiveMotionLearning> Learning => _learning;

    public event Action<string>? ProgressChanged;

    /// <summary>Where camera <paramref name="cameraId"/>'s live state is kept.</summary>
    public static string StatePath(string stateDirectory, string cameraId) =>
        Path.Combine(Path.GetFullPath(stateDirectory), "motion", cameraId + ".state");

    public void Check(HeadContext context, ICollection<string> problems)
    {
        _options = context.Options.Detection.Motion;
        _features = new MotionFeatureOptions { MaxFps = _options.MaxFps };
        _stateDirectory = context.Options.Pipeline.StateDirectory;
        foreach (var camera in context.Options.Cameras)
        {
            CheckCamera(camera, problems);
        }
    }

    public void CheckCamera(CameraOptions camera, ICollection<string> problems)
    {
        _seeds.TryRemove(camera.Id, out _);
        _saved.TryRemove(camera.Id, out _);
        _refused.TryRemove(camera.Id, out _);
        if (camera.MotionState is not null)
        {
            var seed = ConfiguredPath.Resolve(camera.MotionState);
            try
            {
                // Refuses a state learned with other feature settings than this build extracts.
                _seeds[camera.Id] = MotionStateFile.Load(seed, _features);
            }
            catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                problems.Add($"Camera '{camera.Id}': MotionState '{seed}' cannot be used: {ex.Message}");
            }
        }

        if (!_options.Enabled)
        {
            return;
        }

        var path = StatePath(_stateDirectory, camera.Id);
        if (!File.Exists(path))
        {
            return;
        }

        try
        {
            var saved = MotionStateFile.Load(path, _features);
            if (saved.CameraId == camera.Id)
            {
                _saved[camera.Id] = saved;
            }
            else
            {
                _refused[camera.Id] = $"'{path}' was learned for camera '{saved.CameraId}'";
            }
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            // Not a configuration error: the camera can learn again, and the new state replaces this file.
            _refused[camera.Id] = ex.Message;
        }
    }

    public void Load(HeadContext context, OnnxModel backbone, ICollection<string> problems)
    {
        // Needs nothing from the backbone: motion is measured on the decoded frames.
    }

    /// <summary>An offline seed was learned by <c>learn</c> on frames at the file's size; live must see the same frames to score as offline does.</summary>
    public bool NeedsSourceResolution(CameraOptions camera) => camera.MotionState is not null;

    public IFrameHead? CreateFrameHead(CameraOptions camera)
    {
        var id = camera.Id;
        _seeds.TryGetValue(id, out var seed);
        if (!_options.Enabled)
        {
            // Live learning off: a seeded camera scores with its seed, as learned, and nothing else has a motion head.
            return seed is null ? null : new MotionAnomalyHead(seed, MotionScoring.For(camera, _options));
        }

        var logger = _loggers.CreateLogger<MotionHeadModule>();
        var path = StatePath(_stateDirectory, id);
        if (_refused.TryGetValue(id, out var refusal))
        {
            LogRefused(logger, id, refusal);
        }

        _saved.TryGetValue(id, out var saved);
        var start = seed is null || (saved is not null && saved.CreatedAt > seed.CreatedAt) ? saved : seed;
        if (start is not null)
        {
            LogResumed(logger, id, start == seed ? "offline seed" : "saved state", start.Frames, start.Threshold);
        }

        var settings = new LiveMotionSettings
        {
            LearningDuration = TimeSpan.FromMinutes(camera.LearningMinutes ?? _options.LearningMinutes),
            RefreshInterval = TimeSpan.FromMinutes(_options.RefreshMinutes),
            LastingChange = TimeSpan.FromMinutes(camera.MotionLastingChangeMinutes ?? _options.LastingChangeMinutes),
            HoldOutBlock = TimeSpan.FromSeconds(_options.HoldOutBlockSeconds),
            MaxFrames = _options.MaxFrames,
            ThresholdQuantile = _options.ThresholdQuantile,
        };
        var learning = new LiveMotionLearning(id, _features, settings, start, model => MotionStateFile.Save(model, path), _loggers.CreateLogger<LiveMotionLearning>(),
            reason => _relearned?.WithLabels(id, reason).Inc());
        learning.ProgressChanged += _ => ProgressChanged?.Invoke(id);
        _learning[id] = learning;
        return new MotionAnomalyHead(_features, start, learning, MotionScoring.For(camera, _options));
    }

    public IWindowHead? CreateWindowHead(PipelineMetrics metrics, ILoggerFactory loggers)
    {
        // No window head; the pipeline's loggers and metrics outlive start-up, so the frame heads log and count through them.
        _loggers = loggers;
        _relearned = metrics.MotionRelearned;
        return null;
    }

    public double? LearningProgress(string cameraId) =>
        _learning.TryGetValue(cameraId, out var learning) ? learning.Progress : null;

    /// <summary>A removed or replaced camera: a new camera under this id may show another scene, so its saved state goes too.</summary>
    public void Forget(string cameraId)
    {
        _learning.TryRemove(cameraId, out _);
        _saved.TryRemove(cameraId, out _);
        try
        {
            File.Delete(StatePath(_stateDirectory, cameraId));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogNotDeleted(_loggers.CreateLogger<MotionHeadModule>(), cameraId, ex.Message);
        }
    }

    public string? Describe() => _options.Enabled
        ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $"motion head learning live ({_options.LearningMinutes} min per camera)")
        : null;

    public void Dispose()
    {
        // States are plain arrays; each head disposes its own learning.
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {CameraId}: the saved motion state is refused ({Reason}); the camera learns again and the new state replaces it")]
    private static partial void LogRefused(ILogger logger, string cameraId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {CameraId}: motion head resumes from its {Source} ({Frames} frames, threshold {Threshold:F3}), without learning first")]
    private static partial void LogResumed(ILogger logger, string cameraId, string source, int frames, double threshold);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {CameraId}: its saved motion state could not be deleted ({Reason})")]
    private static partial void LogNotDeleted(ILogger logger, string cameraId, string reason);
}
