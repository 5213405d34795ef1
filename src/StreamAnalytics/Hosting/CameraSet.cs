using System.Collections.Concurrent;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Contracts;
using StreamAnalytics.Inference;
using StreamAnalytics.Ingest;
using StreamAnalytics.Observability;
using StreamAnalytics.Privacy;
using StreamAnalytics.Publishing;
using StreamAnalytics.Snapshots;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Hosting;

/// <summary>
/// The cameras the pipeline runs, each a reader and a windowing task of its own feeding the shared window queue.
/// Cameras start and stop one at a time while the others run on untouched: a camera's reader, frame queue and
/// windowing belong to it alone, and stopping one only completes its own queue.
/// </summary>
internal sealed partial class CameraSet
{
    private readonly StreamAnalyticsOptions _options;
    private readonly StartupPlan _plan;
    private readonly FrameTensorFormat _format;
    private readonly PipelineMetrics _metrics;
    private readonly CameraStatusPublisher _status;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly ChannelWriter<Window> _windows;
    private readonly IReadOnlyList<IWindowHead> _windowHeads;
    private readonly IReadOnlyList<ICameraLearning> _learners;
    private readonly CancellationToken _hostStopping;
    private readonly CancellationToken _drain;
    private readonly Lock _gate = new();
    private readonly List<RunningCamera> _running = [];
    private readonly ConcurrentDictionary<string, CameraOptions> _byId = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _allFinished = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private bool _closed;

    /// <param name="hostStopping">Stops every reader (the host is shutting down).</param>
    /// <param name="drain">Passes when queued frames may no longer be processed (the drain deadline).</param>
    public CameraSet(StreamAnalyticsOptions options, StartupPlan plan, FrameTensorFormat format, PipelineMetrics metrics, CameraStatusPublisher status, TimeProvider time, ILoggerFactory loggers, ChannelWriter<Window> windows, IReadOnlyList<IWindowHead> windowHeads, IReadOnlyList<ICameraLearning> learners, CancellationToken hostStopping, CancellationToken drain)
    {
        _windowHeads = windowHeads;
        _learners = learners;
        _options = options;
        _plan = plan;
        _format = format;
        _metrics = metrics;
        _status = status;
        _time = time;
        _loggers = loggers;
        _logger = loggers.CreateLogger<CameraSet>();
        _windows = windows;
        _hostStopping = hostStopping;
        _drain = drain;
        metrics.Registry.AddBeforeCollectCallback(SampleQueueDepths);
        status.Learning = id => LearningProgress.Of(learners, id);
        foreach (var learner in learners)
        {
            // The retained status carries the progress: a new step (or the end of learning) re-publishes it.
            learner.ProgressChanged += status.Touch;
        }
    }

    /// <summary>Every frame head's score, per camera and frame (diagnostics and tests).</summary>
    public event Action<string, IFrameHead, FrameHeadScore>? FrameScored;

    /// <summary>The settings of every running camera, by id; a live view that detection reads per window.</summary>
    public IReadOnlyDictionary<string, CameraOptions> Options => _byId;

    /// <summary>Completes when every camera has ended on its own (files without Loop) and none runs any more.</summary>
    public Task AllFinished => _allFinished.Task;

    /// <summary>The running cameras, in the order they started.</summary>
    public IReadOnlyList<RunningCamera> Snapshot()
    {
        lock (_gate)
        {
            return [.. _running];
        }
    }

    public RunningCamera? Find(string id)
    {
        lock (_gate)
        {
            return _running.Find(c => c.Id == id);
        }
    }

    /// <exception cref="InvalidOperationException">A camera with this id runs already, or the pipeline is stopping.</exception>
    public RunningCamera Start(CameraOptions camera, CameraOrigin origin)
    {
        var cameraMetrics = _metrics.ForCamera(camera.Id);
        var frames = PipelineChannels.ForFrames(camera.QueueCapacity, cameraMetrics);
        var stop = CancellationTokenSource.CreateLinkedTokenSource(_hostStopping);
        var reader = new CameraReader(camera, frames.Writer, cameraMetrics, _time, _loggers.CreateLogger<CameraReader>(), _status.Report,
            DecodeHeightRule.For(_options, camera, _plan.Heads, _format.Height));
        var tap = new LatestFrameTap();
        var running = new RunningCamera(camera, origin, reader, tap, stop) { Frames = frames.Reader };
        lock (_gate)
        {
            if (_closed || _running.Exists(c => c.Id == camera.Id))
            {
                stop.Dispose();
                throw new InvalidOperationException(_closed ? "The pipeline is stopping." : $"Camera '{camera.Id}' is already running.");
            }

            _running.Add(running);
            _byId[camera.Id] = camera;
        }

        _status.Report(reader.Status);
        var w = camera.Window ?? _options.Window;
        var windowing = new CameraWindowing(camera.Id, new WindowSchedule(w.Length, w.Subsample, w.Hop), _format, cameraMetrics, _loggers.CreateLogger<CameraWindowing>(),
            [.. _plan.Heads.Select(h => h.CreateFrameHead(camera)).OfType<IFrameHead>()],
            PrivacyMask.For(camera),
            SnapshotCapture.For(camera, _options.Detection.Snapshot),
            tap,
            GateFor(camera));
        var cameraId = camera.Id;
        windowing.FrameScored += (head, score) => FrameScored?.Invoke(cameraId, head, score);

        // Windowing waits without a token (see CameraWindowing.RunAsync): the drain deadline ends it by completing its input.
        running.DrainRegistration = _drain.Register(() => frames.Writer.TryComplete());
        running.WindowingTask = Task.Run(() => RunWindowingAsync(windowing, frames.Reader, cameraMetrics), CancellationToken.None);
        running.ReaderTask = Task.Run(() => RunReaderAsync(running), CancellationToken.None);
        LogStarted(camera.Id, origin.ToString().ToLowerInvariant());
        return running;
    }

    /// <summary>The camera's motion gate, or null when it is off or a window head must see every window (then it says so once).</summary>
    private MotionGate? GateFor(CameraOptions camera)
    {
        if (!camera.Gate.Enabled)
        {
            return null;
        }

        if (_windowHeads.FirstOrDefault(h => h.NeedsEveryWindow) is { } head)
        {
            LogGateOff(camera.Id, head.Name);
            return null;
        }

        return new MotionGate(camera.Gate, _time);
    }

    /// <summary>Stops one camera and waits until its queued frames have gone through windowing; the others never notice.</summary>
    /// <param name="sameScene">The camera comes back at once watching the same scene (a replacement with the same Url): what the heads learned of it stays.</param>
    /// <returns>False when no camera has this id.</returns>
    public async Task<bool> StopAsync(string id, bool sameScene = false)
    {
        RunningCamera? camera;
        lock (_gate)
        {
            camera = _running.Find(c => c.Id == id);
            if (camera is null)
            {
                return false;
            }

            _running.Remove(camera);
            _byId.TryRemove(id, out _);
        }

        await camera.Stop.CancelAsync().ConfigureAwait(false);
        await camera.ReaderTask.ConfigureAwait(false);
        await camera.WindowingTask.ConfigureAwait(false);
        await camera.DrainRegistration.DisposeAsync().ConfigureAwait(false);
        camera.Stop.Dispose();
        // A camera added again under this id may show another scene: it is learned afresh.
        if (!sameScene)
        {
            foreach (var learning in _learners)
            {
                learning.Forget(id);
            }
        }

        _metrics.ForgetCamera(id);
        _status.Forget(id);
        LogStopped(id);
        return true;
    }

    /// <summary>At shutdown: no camera starts any more; waits for every reader (the host's stop ends them) and then every windowing.</summary>
    public async Task WaitStoppedAsync()
    {
        IReadOnlyList<RunningCamera> all;
        lock (_gate)
        {
            _closed = true;
            all = [.. _running];
        }

        await Task.WhenAll(all.Select(c => c.ReaderTask)).ConfigureAwait(false);
        await Task.WhenAll(all.Select(c => c.WindowingTask)).ConfigureAwait(false);
        foreach (var camera in all)
        {
            await camera.DrainRegistration.DisposeAsync().ConfigureAwait(false);
            camera.Stop.Dispose();
        }
    }

    /// <summary>Frames per second of each camera since the last call.</summary>
    public void SampleRates()
    {
        var now = _time.GetTimestamp();
        foreach (var camera in Snapshot())
        {
            camera.SampleRate(now, _time);
        }
    }

    private async Task RunReaderAsync(RunningCamera camera)
    {
        await camera.Reader.RunAsync(camera.Stop.Token).ConfigureAwait(false);
        if (camera.Stop.IsCancellationRequested)
        {
            return;
        }

        lock (_gate)
        {
            // Ended on its own: when no camera runs any more, the job is done (every camera was a file without Loop).
            if (_running.Count > 0 && _running.TrueForAll(c => c.ReaderTask.IsCompleted || c == camera))
            {
                _allFinished.TrySetResult();
            }
        }
    }

    private async Task RunWindowingAsync(CameraWindowing windowing, ChannelReader<Frame> frames, CameraMetrics metrics)
    {
        using (windowing)
        {
            try
            {
                await windowing.RunAsync(frames, _windows, _drain).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                while (frames.TryRead(out var frame))
                {
                    metrics.FramesDroppedShutdown.Inc();
                    frame.Dispose();
                }
            }
        }
    }

    private void SampleQueueDepths()
    {
        foreach (var camera in Snapshot())
        {
            _metrics.FrameQueueDepth.WithLabels(camera.Id).Set(camera.QueuedFrames);
            if (LearningProgress.Of(_learners, camera.Id) is { } learning)
            {
                _metrics.LearningProgress.WithLabels(camera.Id).Set(learning);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {CameraId} started (from {Origin})")]
    private partial void LogStarted(string cameraId, string origin);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {CameraId}: Gate.Enabled is ignored: window head {Head} must see every window")]
    private partial void LogGateOff(string cameraId, string head);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {CameraId} stopped and removed")]
    private partial void LogStopped(string cameraId);
}
