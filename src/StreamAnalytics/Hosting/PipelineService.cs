using StreamAnalytics.Contracts;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Detection;
using StreamAnalytics.Inference;
using StreamAnalytics.Inference.Remote;
using StreamAnalytics.Ingest;
using StreamAnalytics.Observability;
using StreamAnalytics.Publishing;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Hosting;

/// <summary>
/// Wires ingest → windowing → inference → detection → publishing and runs it. On shutdown the cameras
/// stop first; everything already captured then drains through the stages and is published before
/// the service marks itself offline, within <see cref="PipelineOptions.DrainTimeoutSeconds"/>.
/// </summary>
internal sealed partial class PipelineService(
    StreamAnalyticsOptions options,
    StartupPlan plan,
    OnnxModel model,
    PipelineMetrics metrics,
    MqttConnection connection,
    EventPublisher publisher,
    CameraStatusPublisher cameraStatus,
    TimeProvider time,
    ILoggerFactory loggerFactory,
    IHostApplicationLifetime lifetime) : BackgroundService
{
    private readonly ILogger _logger = loggerFactory.CreateLogger<PipelineService>();
    private CameraSet? _cameras;

    /// <summary>The readers of the running cameras (and of those that ended), in the order they started.</summary>
    public IReadOnlyList<CameraReader> Cameras => _cameras is { } set ? [.. set.Snapshot().Select(c => c.Reader)] : [];

    /// <summary>The running cameras; null until the pipeline has started its configured cameras.</summary>
    public CameraSet? CameraSet => Volatile.Read(ref _cameras);

    /// <summary>The window heads of this run (those that learn per camera report their progress to the API).</summary>
    public IReadOnlyList<IWindowHead> WindowHeads { get; private set; } = [];

    /// <summary>Every head that learns per camera (window heads and detector modules), once the pipeline runs.</summary>
    public IReadOnlyList<ICameraLearning> Learners { get; private set; } = [];

    /// <summary>Every incident message of this run, for the API; bounded.</summary>
    public RecentIncidents Incidents { get; } = new(options.Http.IncidentHistory, metrics.IncidentStreamDropped);

    /// <summary>Every frame head's score, per camera and frame, as the live pipeline computes it (diagnostics and tests).</summary>
    public event Action<string, IFrameHead, FrameHeadScore>? FrameScored;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var drain = new CancellationTokenSource();
        var windows = PipelineChannels.ForWindows(options.Model.QueueCapacity, metrics);
        var results = PipelineChannels.ForResults(64);
        var events = PipelineChannels.ForEvents(options.Mqtt.QueueCapacity);
        metrics.Registry.AddBeforeCollectCallback(() => metrics.WindowQueueDepth.Set(windows.Reader.Count));

        using var statusStop = new CancellationTokenSource();
        var connecting = Task.Run(() => ConnectAsync(drain.Token), CancellationToken.None);
        var statusLoop = Task.Run(() => RunStatusAsync(statusStop.Token), CancellationToken.None);
        var persisting = Task.Run(() => publisher.PersistAsync(events.Reader, CancellationToken.None), CancellationToken.None);
        var sending = Task.Run(() => SendAsync(persisting, drain.Token), CancellationToken.None);
        // Model.Remote: the same stage and batching, run on a KServe v2 endpoint; the local model stays the contract (and the fallback).
        using var remote = options.Model.Remote.Enabled
            ? new RemoteModel(options.Model.Remote, model, metrics, loggerFactory.CreateLogger<RemoteModel>(), time)
            : null;
        var inferenceModel = (IInferenceModel?)remote ?? model;
        var windowHeads = plan.Heads.Select(h => h.CreateWindowHead(metrics, loggerFactory)).OfType<IWindowHead>().ToList();
        WindowHeads = windowHeads;
        IReadOnlyList<ICameraLearning> learners = [.. windowHeads.OfType<ICameraLearning>(), .. plan.Heads.OfType<ICameraLearning>()];
        Learners = learners;
        var cameras = new CameraSet(options, plan, model.Manifest.Input.Format, metrics, cameraStatus, time, loggerFactory, windows.Writer, windowHeads, learners, stoppingToken, drain.Token);
        cameras.FrameScored += (camera, head, score) => FrameScored?.Invoke(camera, head, score);
        var detection = RunAndCompleteAsync(
            () => new DetectionStage(options.Detection, metrics, time, loggerFactory.CreateLogger<DetectionStage>(), cameras.Options) { Recent = Incidents }.RunAsync(results.Reader, events.Writer, drain.Token),
            events.Writer);
        var inference = RunAndCompleteAsync(
            () => new InferenceStage(inferenceModel, metrics, loggerFactory.CreateLogger<InferenceStage>(), time, TimeSpan.FromMilliseconds(options.Model.MaxBatchWaitMilliseconds), windowHeads).RunAsync(windows.Reader, results.Writer, drain.Token),
            results.Writer);

        foreach (var camera in options.Cameras.Where(c => c.Enabled && plan.RunsHere(c.Id)))
        {
            cameras.Start(camera, plan.ApiCameras.ContainsKey(camera.Id) ? CameraOrigin.Api : CameraOrigin.Config);
        }

        if (options.Sharding.Count > 1)
        {
            LogShard(plan.ShardOrdinal, options.Sharding.Count, cameras.Snapshot().Count, options.Cameras.Count(c => c.Enabled));
        }

        Volatile.Write(ref _cameras, cameras);
        LogStarted(cameras.Snapshot().Count, model.Manifest.Name, inferenceModel.ExecutionProvider);
        foreach (var head in windowHeads)
        {
            LogWindowHead(head.Name);
        }

        // Ends with the host's stop or with the last camera: files without Loop finish on their own, and a progress
        // loop waiting for the host alone kept the process alive after its job was done.
        using var progressStop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var progress = Task.Run(() => LogProgressAsync(progressStop.Token), CancellationToken.None);
        var rates = Task.Run(() => SampleRatesAsync(cameras, progressStop.Token), CancellationToken.None);

        await Task.WhenAny(cameras.AllFinished, Task.Delay(Timeout.Infinite, stoppingToken)).ConfigureAwait(false);
        var stoppedByHost = stoppingToken.IsCancellationRequested;
        drain.CancelAfter(TimeSpan.FromSeconds(options.Pipeline.DrainTimeoutSeconds));
        if (stoppedByHost)
        {
            LogDraining(options.Pipeline.DrainTimeoutSeconds);
        }

        await cameras.WaitStoppedAsync().ConfigureAwait(false);
        windows.Writer.TryComplete();
        await Task.WhenAll(inference, detection, persisting, sending, connecting).ConfigureAwait(false);
        await progressStop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(progress, rates).ConfigureAwait(false);
        await statusStop.CancelAsync().ConfigureAwait(false);
        await statusLoop.ConfigureAwait(false);
        await FlushCameraStatusAsync().ConfigureAwait(false);

        using var offline = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await connection.GoOfflineAsync(offline.Token).ConfigureAwait(false);
        LogStopped(publisher.Published, publisher.Pending);
        if (!stoppedByHost)
        {
            // Every camera finished (files without Loop): the job is done.
            lifetime.StopApplication();
        }
    }

    private async Task SampleRatesAsync(CameraSet cameras, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(2), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stop).ConfigureAwait(false))
            {
                cameras.SampleRates();
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task ConnectAsync(CancellationToken drain)
    {
        try
        {
            await connection.EnsureConnectedAsync(drain).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Never connected before the drain deadline; the outbox keeps the events.
        }
    }

    private async Task SendAsync(Task persisting, CancellationToken drain)
    {
        try
        {
            await publisher.SendAsync(persisting, drain).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            LogUnpublished(publisher.Pending);
        }
    }

    private async Task RunStatusAsync(CancellationToken stop)
    {
        try
        {
            await cameraStatus.RunAsync(stop).ConfigureAwait(false);
        }
        catch (Exception ex) when (stop.IsCancellationRequested)
        {
            // Stopping (however the MQTT client reports a cancelled publish); the final states are flushed
            // once more below, and nothing here may keep the service from marking itself offline.
            LogStatusLoopStopped(ex.GetType().Name);
        }
    }

    private async Task FlushCameraStatusAsync()
    {
        using var flush = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await cameraStatus.FlushAsync(flush.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or MQTTnet.Exceptions.MqttCommunicationException)
        {
            LogStatusNotFlushed(MqttConnection.Describe(ex));
        }
    }

    private async Task RunAndCompleteAsync<T>(Func<Task> stage, ChannelWriter<T> toComplete)
    {
        try
        {
            await Task.Run(stage).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Drain deadline passed.
        }
        catch (Exception ex)
        {
            LogStageFailed(ex);
            lifetime.StopApplication();
        }
        finally
        {
            toComplete.TryComplete();
        }
    }

    private async Task LogProgressAsync(CancellationToken stoppingToken)
    {
        if (options.Pipeline.ProgressLogSeconds <= 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Pipeline.ProgressLogSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                foreach (var reader in Cameras)
                {
                    LogCameraProgress(reader.CameraId, reader.State.ToString().ToLowerInvariant(), reader.FramesRead, reader.LastError ?? "-");
                }

                LogEventProgress(publisher.Published, publisher.Pending, connection.IsConnected);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline started: {Cameras} cameras, model {Model} on {Provider}")]
    private partial void LogStarted(int cameras, string model, string provider);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sharding: this process is shard {Ordinal} of {Count} and runs {Here} of the {All} enabled cameras; the others are listed as elsewhere")]
    private partial void LogShard(int ordinal, int count, int here, int all);

    [LoggerMessage(Level = LogLevel.Information, Message = "Window head {Head} runs on every window")]
    private partial void LogWindowHead(string head);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Camera status loop stopped ({Reason})")]
    private partial void LogStatusLoopStopped(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The cameras' final states were not all published before going offline ({Reason})")]
    private partial void LogStatusNotFlushed(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping: cameras closed, draining queued frames and events (up to {Seconds} s)")]
    private partial void LogDraining(double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline stopped: {Published} events published, {Left} kept in the outbox for the next start")]
    private partial void LogStopped(long published, int left);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drain deadline passed with {Count} events not yet acknowledged by the broker; they stay in the outbox and are sent after the next start")]
    private partial void LogUnpublished(int count);

    [LoggerMessage(Level = LogLevel.Critical, Message = "A pipeline stage failed; stopping")]
    private partial void LogStageFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {CameraId}: {State}, {Frames} frames, last error: {LastError}")]
    private partial void LogCameraProgress(string cameraId, string state, long frames, string lastError);

    [LoggerMessage(Level = LogLevel.Information, Message = "Events published: {Published}, waiting in the outbox: {Pending}; broker connected: {Connected}")]
    private partial void LogEventProgress(long published, int pending, bool connected);
}
