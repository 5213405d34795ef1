using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Http;
using StreamAnalytics.Inference;

namespace StreamAnalytics.Hosting;

/// <summary>
/// The API's cameras over the running pipeline. A camera added at run time passes every rule a configured one does
/// (the validator over all cameras, the model's, each detector's), is saved before it starts, and starts or stops
/// without touching any other camera. Configured cameras are listed but changed only in the configuration file.
/// One change at a time.
/// </summary>
internal sealed partial class CameraAdmin : ICameraControl, IDisposable
{
    private readonly StreamAnalyticsOptions _options;
    private readonly StartupPlan _plan;
    private readonly ModelManifest _manifest;
    private readonly PipelineService _pipeline;
    private readonly CameraStore _store;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _changes = new(1, 1);
    private readonly List<CameraOptions> _configured;
    private readonly Lock _gate = new();
    private readonly List<(CameraOptions Camera, JsonElement Json)> _added;

    public CameraAdmin(StreamAnalyticsOptions options, StartupPlan plan, OnnxModel model, PipelineService pipeline, ILogger<CameraAdmin> logger)
    {
        _options = options;
        _plan = plan;
        _manifest = model.Manifest;
        _pipeline = pipeline;
        _logger = logger;
        _store = new CameraStore(options.Pipeline.StateDirectory);
        _configured = [.. options.Cameras.Where(c => !plan.ApiCameras.ContainsKey(c.Id))];
        _added = [.. options.Cameras.Where(c => plan.ApiCameras.ContainsKey(c.Id)).Select(c => (c, plan.ApiCameras[c.Id]))];
    }

    public IReadOnlyList<CameraView> List()
    {
        List<CameraOptions> all;
        lock (_gate)
        {
            all = [.. _configured, .. _added.Select(a => a.Camera)];
        }

        return [.. all.Select(View)];
    }

    public CameraView? Find(string id) => List().FirstOrDefault(c => c.Id == id);

    public Task<CameraChange> AddAsync(JsonElement camera, CancellationToken cancellationToken) =>
        ChangeAsync(set => Task.FromResult(Add(set, camera)), cancellationToken);

    public Task<CameraChange> ReplaceAsync(string id, JsonElement camera, CancellationToken cancellationToken) =>
        ChangeAsync(async set =>
        {
            if (Known(id) is not { } existing)
            {
                return CameraChange.Failed(CameraChangeOutcome.NotFound, $"No camera has the id '{id}'.");
            }

            if (existing == CameraOrigin.Config)
            {
                return ConfiguredConflict(id);
            }

            var problems = new List<string>();
            if (CameraJson.Read(camera, "Camera", problems) is not { } replacement)
            {
                return CameraChange.Failed(CameraChangeOutcome.Invalid, problems);
            }

            if (replacement.Id != id)
            {
                return CameraChange.Failed(CameraChangeOutcome.Invalid, $"Camera: Id '{replacement.Id}' in the body differs from '{id}' in the URL; an id cannot change (remove the camera and add it anew).");
            }

            problems.AddRange(Check(replacement, replacing: id));
            if (problems.Count > 0)
            {
                return CameraChange.Failed(CameraChangeOutcome.Invalid, problems);
            }

            var json = camera.Clone();
            var index = _added.FindIndex(a => a.Camera.Id == id);

            // Same source, same scene: a new sensitivity or window keeps what the camera learned; a new Url learns afresh.
            var sameScene = string.Equals(_added[index].Camera.Url, replacement.Url, StringComparison.Ordinal);
            Save(cameras => cameras[index] = json);
            lock (_gate)
            {
                _added[index] = (replacement, json);
            }

            await set.StopAsync(id, sameScene).ConfigureAwait(false);
            if (replacement.Enabled)
            {
                set.Start(replacement, CameraOrigin.Api);
            }

            LogReplaced(id);
            return CameraChange.Done(View(replacement));
        }, cancellationToken);

    public Task<CameraChange> RemoveAsync(string id, CancellationToken cancellationToken) =>
        ChangeAsync(async set =>
        {
            if (Known(id) is not { } existing)
            {
                return CameraChange.Failed(CameraChangeOutcome.NotFound, $"No camera has the id '{id}'.");
            }

            if (existing == CameraOrigin.Config)
            {
                return ConfiguredConflict(id);
            }

            var index = _added.FindIndex(a => a.Camera.Id == id);
            Save(cameras => cameras.RemoveAt(index));
            lock (_gate)
            {
                _added.RemoveAt(index);
            }

            await set.StopAsync(id).ConfigureAwait(false);
            LogRemoved(id);
            return CameraChange.Done(null);
        }, cancellationToken);

    public async Task<byte[]?> NextPictureAsync(string id, CancellationToken cancellationToken)
    {
        if (_pipeline.CameraSet?.Find(id) is not { Finished: false } camera)
        {
            return null;
        }

        return await camera.Tap.NextJpegAsync(cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => _changes.Dispose();

    private CameraChange Add(CameraSet set, JsonElement camera)
    {
        var problems = new List<string>();
        if (CameraJson.Read(camera, "Camera", problems) is not { } added)
        {
            return CameraChange.Failed(CameraChangeOutcome.Invalid, problems);
        }

        if (!string.IsNullOrEmpty(added.Id) && Known(added.Id) is { } existing)
        {
            return CameraChange.Failed(CameraChangeOutcome.Conflict, $"A camera with the id '{added.Id}' exists already ({Describe(existing)}); use PUT /api/v1/cameras/{added.Id} to change one added through the API.");
        }

        if (!string.IsNullOrEmpty(added.Id) && !_plan.RunsHere(added.Id))
        {
            return OtherShard(added.Id);
        }

        problems.AddRange(Check(added, replacing: null));
        if (problems.Count > 0)
        {
            return CameraChange.Failed(CameraChangeOutcome.Invalid, problems);
        }

        var json = camera.Clone();
        Save(cameras => cameras.Add(json));
        lock (_gate)
        {
            _added.Add((added, json));
        }

        if (added.Enabled)
        {
            set.Start(added, CameraOrigin.Api);
        }

        LogAdded(added.Id);
        return CameraChange.Done(View(added));
    }

    private async Task<CameraChange> ChangeAsync(Func<CameraSet, Task<CameraChange>> change, CancellationToken cancellationToken)
    {
        await _changes.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_pipeline.CameraSet is not { } set)
            {
                return CameraChange.Failed(CameraChangeOutcome.Unavailable, "The pipeline is starting; try again in a moment.");
            }

            try
            {
                return await change(set).ConfigureAwait(false);
            }
            catch (InvalidOperationException ex)
            {
                // The pipeline began to stop meanwhile; what was saved starts with the next run.
                return CameraChange.Failed(CameraChangeOutcome.Unavailable, ex.Message);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogNotSaved(_store.FilePath, ex.Message);
                return CameraChange.Failed(CameraChangeOutcome.Unavailable, $"The camera list cannot be saved to '{_store.FilePath}': {ex.Message} Nothing was changed.");
            }
        }
        finally
        {
            _changes.Release();
        }
    }

    /// <summary>The rules of start-up, for one camera among those that run: the options validator, the model, each detector.</summary>
    private List<string> Check(CameraOptions camera, string? replacing)
    {
        List<CameraOptions> others;
        lock (_gate)
        {
            others = [.. _configured, .. _added.Select(a => a.Camera).Where(c => c.Id != replacing)];
        }

        var candidate = new StreamAnalyticsOptions
        {
            Cameras = [.. others, camera],
            Window = _options.Window,
            Model = _options.Model,
            Detection = _options.Detection,
            Mqtt = _options.Mqtt,
            Metrics = _options.Metrics,
            Http = _options.Http,
            Pipeline = _options.Pipeline,
        };
        var index = $"Cameras[{others.Count}]";
        var problems = StreamAnalyticsOptionsValidator.Collect(candidate)
            .Where(p => p.StartsWith(index, StringComparison.Ordinal))
            .Select(p => CameraPrefix().Replace(p, "Camera"))
            .ToList();
        StreamAnalyticsApp.CheckCameraAgainstModel(camera, _options, _manifest, problems);
        if (problems.Count == 0)
        {
            foreach (var head in _plan.Heads)
            {
                head.CheckCamera(camera, problems);
            }
        }

        return problems;
    }

    private CameraOrigin? Known(string id)
    {
        lock (_gate)
        {
            return _configured.Exists(c => c.Id == id) ? CameraOrigin.Config
                : _added.Exists(a => a.Camera.Id == id) ? CameraOrigin.Api
                : null;
        }
    }

    private static string Describe(CameraOrigin origin) =>
        origin == CameraOrigin.Config ? "from the configuration file" : "added through the API";

    private CameraChange OtherShard(string id) =>
        CameraChange.Failed(CameraChangeOutcome.Conflict, $"Camera '{id}' belongs to shard {CameraShard.Of(id, _options.Sharding.Count)} of {_options.Sharding.Count} (this process is shard {_plan.ShardOrdinal}); add it through that process, whose state keeps it.");

    private static CameraChange ConfiguredConflict(string id) =>
        CameraChange.Failed(CameraChangeOutcome.Conflict, $"Camera '{id}' comes from the configuration file; change or remove it there and restart.");

    /// <summary>Saves the list as it will be after <paramref name="change"/>, before anything runs with it: what was acknowledged survives a crash.</summary>
    private void Save(Action<List<JsonElement>> change)
    {
        List<JsonElement> cameras;
        lock (_gate)
        {
            cameras = [.. _added.Select(a => a.Json)];
        }

        change(cameras);
        _store.Save(cameras);
    }

    private CameraView View(CameraOptions camera)
    {
        var origin = _configured.Contains(camera) ? "config" : "api";
        var url = CameraUrl.TryParse(camera.Url, out var parsed, out _) ? parsed.Display : CredentialRedactor.Redact(camera.Url);
        var learning = LearningProgress.Of(_pipeline.Learners, camera.Id);

        var shard = _options.Sharding.Count > 1 ? CameraShard.Of(camera.Id, _options.Sharding.Count) : 0;
        if (!_plan.RunsHere(camera.Id))
        {
            return new CameraView(camera.Id, origin, camera.Enabled, "elsewhere", null, 0, 0, null, null, url, shard);
        }

        if (!camera.Enabled || _pipeline.CameraSet?.Find(camera.Id) is not { } running)
        {
            return new CameraView(camera.Id, origin, camera.Enabled, camera.Enabled ? "stopped" : "disabled", null, 0, 0, null, learning, url, shard);
        }

        var status = running.Reader.Status;
        return new CameraView(camera.Id, origin, true, status.State.ToString().ToLowerInvariant(), status.Since, Math.Round(running.FramesPerSecond, 2), running.Reader.FramesRead, status.LastError, learning, url, shard);
    }

    [GeneratedRegex(@"^Cameras\[\d+\]( \(camera '[^']*'\))?")]
    private static partial Regex CameraPrefix();

    [LoggerMessage(Level = LogLevel.Error, Message = "API: the camera list cannot be saved to {Path}: {Reason}; the change was refused")]
    private partial void LogNotSaved(string path, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "API: camera {CameraId} added")]
    private partial void LogAdded(string cameraId);

    [LoggerMessage(Level = LogLevel.Information, Message = "API: camera {CameraId} replaced; it reconnects with its new settings")]
    private partial void LogReplaced(string cameraId);

    [LoggerMessage(Level = LogLevel.Information, Message = "API: camera {CameraId} removed")]
    private partial void LogRemoved(string cameraId);
}
