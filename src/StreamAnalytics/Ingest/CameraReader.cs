using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Observability;
using StreamAnalytics.Retry;

namespace StreamAnalytics.Ingest;

/// <summary>
/// Keeps one camera's frames flowing: runs ffmpeg, reads whole frames into pooled buffers, writes them
/// to the camera's bounded channel (which evicts the oldest when windowing falls behind), and restarts
/// ffmpeg with backoff when it fails, ends or stalls. Capture never blocks on a slow consumer.
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "Its frame pool lives as long as RunAsync, whose finally disposes it.")]
internal sealed partial class CameraReader
{
    private static readonly TimeSpan WatchdogTick = TimeSpan.FromSeconds(1);

    private readonly CameraOptions _camera;
    private readonly CameraSource _source;
    private readonly int? _decodeHeight;
    private string _hardwareDecode;
    private readonly ChannelWriter<Frame> _output;
    private readonly CameraMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ReconnectBackoff _backoff;
    private readonly LogRateLimiter _ffmpegLog;
    private readonly Action<CameraStatus>? _statusChanged;
    private readonly Lock _stateGate = new();
    private long _sequence;
    private long _lastFrameTimestamp;
    private long _downSince;
    private int _sessionStalled;
    private double _frameIntervalEma;
    private TimeSpan _watchdogLimit;

    // The limit that fired: the open timeout when the session never delivered a frame, else the frame watchdog.
    private TimeSpan _stallLimit;
    private FramePool? _pool;

    /// <param name="decodeHeight">
    /// For a camera without Width and Height: decode at this height (the model's input height, <c>Pipeline.DecodeSize: model</c>),
    /// the source's aspect kept, never above the source. ffmpeg then scales before the BGR conversion and everything downstream
    /// handles a small frame. Null decodes at the source size.
    /// </param>
    public CameraReader(CameraOptions camera, ChannelWriter<Frame> output, CameraMetrics metrics, TimeProvider time, ILogger logger, Action<CameraStatus>? statusChanged = null, int? decodeHeight = null)
    {
        _decodeHeight = decodeHeight;
        if (!CameraSource.TryParse(camera.Url, out var source, out var error))
        {
            throw new ArgumentException(error, nameof(camera));
        }

        _camera = camera;
        _hardwareDecode = camera.HardwareDecode;
        _source = source;
        _output = output;
        _metrics = metrics;
        _time = time;
        _logger = logger;
        _backoff = new ReconnectBackoff(
            TimeSpan.FromSeconds(camera.Reconnect.InitialDelaySeconds),
            TimeSpan.FromSeconds(camera.Reconnect.MaxDelaySeconds));
        _statusChanged = statusChanged;
        _ffmpegLog = new LogRateLimiter(5, TimeSpan.FromMinutes(1), time);
        _downSince = time.GetTimestamp();
        Status = new CameraStatus(camera.Id, CameraState.Connecting, time.GetUtcNow(), null);
    }

    public string CameraId => _camera.Id;

    public CameraState State => Status.State;

    /// <summary>The current state, since when, and the last error; every change is also passed to the status callback.</summary>
    public CameraStatus Status { get; private set; }

    /// <summary>The frame watchdog's current limit (grows with the intervals this camera really has).</summary>
    public TimeSpan WatchdogLimit => _watchdogLimit;

    /// <summary>The last failure, free of credentials; null while healthy.</summary>
    public string? LastError { get; private set; }

    public long FramesRead => Interlocked.Read(ref _sequence);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var started = _time.GetTimestamp();
                var framesBefore = FramesRead;
                var outcome = await RunSessionAsync(cancellationToken).ConfigureAwait(false);
                SetDown();
                if (cancellationToken.IsCancellationRequested || outcome == SessionOutcome.Finished)
                {
                    break;
                }

                if (outcome == SessionOutcome.RetryNow)
                {
                    continue;
                }

                // Only a session that really delivered frames for a while counts as healthy.
                if (FramesRead > framesBefore && _time.GetElapsedTime(started) >= TimeSpan.FromSeconds(_camera.Reconnect.HealthyAfterSeconds))
                {
                    _backoff.Reset();
                }

                var delay = _backoff.Next();
                var offline = _time.GetElapsedTime(Interlocked.Read(ref _downSince)) >= TimeSpan.FromSeconds(_camera.Reconnect.OfflineAfterSeconds);
                SetState(offline ? CameraState.Offline : CameraState.Reconnecting);
                _metrics.Reconnects.Inc();
                LogReconnecting(_camera.Id, delay.TotalSeconds, _backoff.Attempt, LastError ?? "stream ended");
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down.
        }
        finally
        {
            SetDown();
            SetState(CameraState.Stopped);
            _output.TryComplete();
            _pool?.Dispose();
        }
    }

    private async Task<SessionOutcome> RunSessionAsync(CancellationToken cancellationToken)
    {
        var openTimeout = TimeSpan.FromSeconds(_camera.Reconnect.OpenTimeoutSeconds);
        VideoGeometry geometry;
        bool fast;
        bool area;
        try
        {
            if (_source.Kind == CameraSourceKind.File && !File.Exists(_source.Input))
            {
                throw new VideoSourceException($"file '{_source.Display}' does not exist");
            }

            if (_camera.Width is { } w && _camera.Height is { } h)
            {
                geometry = new VideoGeometry(w, h, null);
                fast = FastDecodeRule.Resolve(_camera.FastDecode, h, sourceHeight: null);
                area = ScaleFilterRule.Resolve(_camera.ScaleFilter, h, sourceHeight: null);
            }
            else
            {
                var probed = await VideoProbe.ProbeAsync(_source, _camera, openTimeout, cancellationToken).ConfigureAwait(false);
                var height = _camera.Width is null && _camera.Height is null && _decodeHeight is { } model && model < probed.Height ? model : _camera.Height;
                geometry = VideoGeometry.Resolve(_camera.Width, height, probed);
                fast = FastDecodeRule.Resolve(_camera.FastDecode, geometry.Height, probed.Height);
                area = ScaleFilterRule.Resolve(_camera.ScaleFilter, geometry.Height, probed.Height);
            }
        }
        catch (VideoSourceException ex)
        {
            Fail(ex.Message);
            return SessionOutcome.Failed;
        }

        _watchdogLimit = BaseWatchdogLimit(geometry.FramesPerSecond);
        _frameIntervalEma = 0;
        if (_pool is null || _pool.Width != geometry.Width || _pool.Height != geometry.Height)
        {
            _pool?.Dispose();
            _pool = new FramePool(_camera.Id, geometry.Width, geometry.Height);
        }

        LogOpening(_camera.Id, _source.Display, geometry.Width, geometry.Height, fast ? "fast" : "full", area ? "area" : "bicubic");
        var framesAtStart = FramesRead;
        using var process = ChildProcess.Start("ffmpeg", FfmpegArguments.Decode(_source, _camera, geometry, _hardwareDecode, fast, area), redirectStdout: true);
        using var sessionEnd = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var stderr = new FfmpegStderrPump(process.StandardError, _camera.Id, _logger, _ffmpegLog);
        var stderrTask = stderr.RunAsync(sessionEnd.Token);
        var sessionStart = _time.GetTimestamp();
        Interlocked.Exchange(ref _lastFrameTimestamp, 0);
        Volatile.Write(ref _sessionStalled, 0);
        var watchdog = _time.CreateTimer(
            _ => CheckWatchdog(process, sessionStart, openTimeout),
            null,
            WatchdogTick,
            WatchdogTick);
        await using var stopWatchdog = watchdog.ConfigureAwait(false);

        var outcome = SessionOutcome.Failed;
        string? outputFailure = null;
        try
        {
            // A blocking read on a dedicated thread: an awaited pipe read allocates a state machine each time it
            // waits (~50 waits per 720p frame). Cancellation kills ffmpeg, which ends the read with end-of-stream.
            var stdout = process.StandardOutput.BaseStream;
            var pool = _pool;
            using (cancellationToken.Register(() => ChildProcess.KillQuietly(process)))
            {
                await Task.Factory.StartNew(() => ReadFrames(stdout, pool), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            }

            cancellationToken.ThrowIfCancellationRequested();
            outcome = _source.Kind == CameraSourceKind.File && !_camera.Loop && Volatile.Read(ref _sessionStalled) == 0 && FramesRead > 0
                ? SessionOutcome.Finished
                : SessionOutcome.Failed;
        }
        catch (IOException ex) when (!cancellationToken.IsCancellationRequested)
        {
            outputFailure = $"decoder output failed: {CredentialRedactor.Redact(ex.Message)}";
        }
        finally
        {
            ChildProcess.KillQuietly(process);
            // Reap the child so no zombie is left, whatever happened above.
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            // Let the pump read ffmpeg's last words (the reason it stopped) before it is told to stop.
            try
            {
                await stderrTask.WaitAsync(TimeSpan.FromSeconds(2), CancellationToken.None).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // Something else holds the pipe open; stop reading.
            }

            await sessionEnd.CancelAsync().ConfigureAwait(false);
            await stderrTask.ConfigureAwait(false);
            ChildProcess.ClosePipes(process);
        }

        if (outcome == SessionOutcome.Failed && !cancellationToken.IsCancellationRequested && _hardwareDecode != "none"
            && FramesRead == framesAtStart && stderr.LastLine is { } deviceError && IsHardwareUnavailable(deviceError))
        {
            // Once per camera: the device is not there (no GPU, no driver, another node); software decodes the same frames.
            LogHardwareDecodeUnavailable(_camera.Id, _hardwareDecode, deviceError);
            _hardwareDecode = "none";
            return SessionOutcome.RetryNow;
        }

        if (outcome == SessionOutcome.Failed && !cancellationToken.IsCancellationRequested)
        {
            Fail(outputFailure
                ?? (Volatile.Read(ref _sessionStalled) == 1
                    ? $"no frame for {_stallLimit.TotalSeconds:0.#} s; decoder restarted"
                    : stderr.LastLine is { } last ? $"decoder ended: {last}" : "stream ended"));
        }

        if (outcome == SessionOutcome.Finished)
        {
            LogFinished(_camera.Id);
        }

        return outcome;
    }

    private void ReadFrames(Stream stdout, FramePool pool)
    {
        var frameBytes = pool.FrameBytes;
        var first = true;
        while (true)
        {
            var frame = pool.Rent();
            try
            {
                var read = stdout.ReadAtLeast(frame.Buffer.AsSpan(0, frameBytes), frameBytes, throwOnEndOfStream: false);
                if (read < frameBytes)
                {
                    frame.Dispose();
                    return;
                }
            }
            catch
            {
                frame.Dispose();
                throw;
            }

            var now = _time.GetTimestamp();
            var previous = Interlocked.Exchange(ref _lastFrameTimestamp, now);
            if (previous != 0)
            {
                ObserveInterval(_time.GetElapsedTime(previous, now).TotalSeconds);
            }

            frame.Sequence = Interlocked.Increment(ref _sequence);
            frame.CaptureTime = _time.GetUtcNow();
            frame.FirstOfSession = first;
            first = false;
            _metrics.FramesDecoded.Inc();
            // Frames still in the pipe after the watchdog fired do not make a dying session online again.
            if (State != CameraState.Online && Volatile.Read(ref _sessionStalled) == 0)
            {
                SetOnline(frame.Width, frame.Height);
            }

            // DropOldest never refuses; an evicted frame is counted and disposed by the channel's itemDropped callback.
            if (!_output.TryWrite(frame))
            {
                frame.Dispose();
                return;
            }
        }
    }

    private void CheckWatchdog(Process process, long sessionStart, TimeSpan openTimeout)
    {
        var last = Interlocked.Read(ref _lastFrameTimestamp);
        var since = last == 0 ? _time.GetElapsedTime(sessionStart) : _time.GetElapsedTime(last);
        var limit = last == 0 ? openTimeout : _watchdogLimit;
        _metrics.SecondsSinceLastFrame.Set(since.TotalSeconds);
        if (since < limit || Interlocked.Exchange(ref _sessionStalled, 1) == 1)
        {
            return;
        }

        _stallLimit = limit;
        SetState(CameraState.Stalled, $"no frame for {since.TotalSeconds:0.#} s");
        LogStalled(_camera.Id, since.TotalSeconds);
        ChildProcess.KillQuietly(process);
    }

    private void SetOnline(int width, int height)
    {
        LastError = null;
        SetState(CameraState.Online);
        _metrics.CameraUp.Set(1);
        LogOnline(_camera.Id, width, height);
    }

    private void SetDown()
    {
        if (State == CameraState.Online)
        {
            Interlocked.Exchange(ref _downSince, _time.GetTimestamp());
        }

        _metrics.CameraUp.Set(0);
    }

    private void SetState(CameraState state, string? error = null)
    {
        CameraStatus status;
        lock (_stateGate)
        {
            if (Status.State == state)
            {
                return;
            }

            status = new CameraStatus(_camera.Id, state, _time.GetUtcNow(), error ?? LastError);
            Status = status;
        }

        _statusChanged?.Invoke(status);
    }

    /// <summary>Configured limit, or four expected frame intervals (at least 5 s; 10 s while the rate is unknown).</summary>
    private TimeSpan BaseWatchdogLimit(double? framesPerSecond) =>
        TimeSpan.FromSeconds(_camera.Reconnect.WatchdogSeconds
            ?? (framesPerSecond is { } fps && fps > 0 ? Math.Max(5, 4 / fps) : 10));

    /// <summary>Stretches the watchdog to four times the camera's real frame interval, so slow cameras are not killed for being slow.</summary>
    private void ObserveInterval(double seconds)
    {
        _frameIntervalEma = _frameIntervalEma == 0 ? seconds : (0.9 * _frameIntervalEma) + (0.1 * seconds);
        var adaptive = TimeSpan.FromSeconds(4 * _frameIntervalEma);
        if (adaptive > _watchdogLimit)
        {
            _watchdogLimit = adaptive;
        }
    }

    private void Fail(string reason)
    {
        LastError = CredentialRedactor.Redact(reason);
        _metrics.DecodeErrors.Inc();
        if (State == CameraState.Connecting)
        {
            // The first attempt failed: report it now rather than after the backoff.
            SetState(CameraState.Reconnecting);
        }
    }

    private static bool IsHardwareUnavailable(string ffmpegError) =>
        ffmpegError.Contains("Device setup failed", StringComparison.Ordinal)
        || ffmpegError.Contains("Device creation failed", StringComparison.Ordinal)
        || ffmpegError.Contains("No device available", StringComparison.Ordinal)
        || ffmpegError.Contains("hwaccel initialisation returned error", StringComparison.Ordinal);

    private enum SessionOutcome
    {
        Failed,
        Finished,

        /// <summary>Start again at once, without backoff: the decoder was switched to software.</summary>
        RetryNow,
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {CameraId}: hardware decode '{HardwareDecode}' is not available here ({Reason}); decoding in software from now on")]
    private partial void LogHardwareDecodeUnavailable(string cameraId, string hardwareDecode, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {CameraId}: opening {Source} at {Width}x{Height}, {Decode} decode, {Scale} scale")]
    private partial void LogOpening(string cameraId, string source, int width, int height, string decode, string scale);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {CameraId}: online, receiving {Width}x{Height} frames")]
    private partial void LogOnline(string cameraId, int width, int height);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {CameraId}: {Reason}; reconnecting in {DelaySeconds:0.0} s (attempt {Attempt})")]
    private partial void LogReconnecting(string cameraId, double delaySeconds, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {CameraId}: no frame for {Seconds:0.0} s; killing the decoder to reconnect")]
    private partial void LogStalled(string cameraId, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {CameraId}: file finished (Loop is off)")]
    private partial void LogFinished(string cameraId);
}
