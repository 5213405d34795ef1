using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Contracts;
using StreamAnalytics.Ingest;
using StreamAnalytics.Observability;
using StreamAnalytics.Privacy;
using StreamAnalytics.Snapshots;

namespace StreamAnalytics.Windowing;

/// <summary>
/// One camera's windowing: samples frames by the schedule, turns each sampled frame into a model
/// tensor once, and emits a window whenever the schedule closes one. Frames are disposed here,
/// right after conversion, so decoder buffers go back to their pool at once.
/// </summary>
internal sealed partial class CameraWindowing : IDisposable
{
    private readonly WindowSchedule _schedule;
    private readonly FramePreprocessor _preprocessor;
    private readonly FrameSlotPool _slots;
    private readonly WindowPool _windows;
    private readonly FrameSlot[] _ring;
    private readonly CameraMetrics? _metrics;
    private readonly ILogger? _logger;
    private readonly IFrameHead[] _heads;
    private readonly double[] _pendingScores;
    private readonly PrivacyMask? _privacy;
    private readonly SnapshotCapture? _snapshots;
    private readonly LatestFrameTap? _tap;
    private readonly MotionGate? _gate;
    private long _errors;
    private long _arrivals;
    private long _sampled;
    private long _windowCount;
    private int _ringCount;
    private int _ringHead;

    /// <param name="heads">The camera's frame heads (the motion head); each sees every decoded, masked frame, sampled or not. Disposed with this.</param>
    /// <param name="privacy">The camera's masks and zones, blanked in each frame before anything else reads it.</param>
    /// <param name="snapshots">Set when the camera's snapshots are on: each window keeps a copy of its last (masked) frame.</param>
    /// <param name="tap">Set when something outside the pipeline may ask for the camera's latest picture (the API).</param>
    /// <param name="gate">Set when the camera's motion gate is on: windows of an unchanged scene are marked <see cref="Window.Gated"/>.</param>
    public CameraWindowing(string cameraId, WindowSchedule schedule, FrameTensorFormat format, CameraMetrics? metrics, ILogger? logger = null, IReadOnlyList<IFrameHead>? heads = null, PrivacyMask? privacy = null, SnapshotCapture? snapshots = null, LatestFrameTap? tap = null, MotionGate? gate = null)
    {
        _gate = gate;
        CameraId = cameraId;
        _schedule = schedule;
        _preprocessor = new FramePreprocessor(format);
        _heads = [.. heads ?? []];
        _pendingScores = new double[_heads.Length];
        Array.Fill(_pendingScores, double.NaN);
        _slots = new FrameSlotPool(format, _heads.Length);
        _windows = new WindowPool(cameraId, schedule.Length);
        _ring = new FrameSlot[schedule.Length];
        _metrics = metrics;
        _logger = logger;
        _privacy = privacy;
        _snapshots = snapshots;
        _tap = tap;
    }

    /// <summary>Every frame head's score, frame by frame (for tests and diagnostics; runs on the windowing thread).</summary>
    public event Action<IFrameHead, FrameHeadScore>? FrameScored;

    public IReadOnlyList<IFrameHead> Heads => _heads;

    public string CameraId { get; }

    public WindowSchedule Schedule => _schedule;

    public FrameSlotPool Slots => _slots;

    /// <summary>Takes ownership of <paramref name="frame"/> (disposes it) and returns a window when this frame completes one.</summary>
    public Window? Process(Frame frame)
    {
        try
        {
            // First, in place: the frame heads, the model tensor and any snapshot copy all read these pixels.
            if (_privacy is not null && _privacy.Apply(frame.Pixels, frame.Width, frame.Height) && _logger is not null)
            {
                LogMaskRasterised(_logger, CameraId, frame.Width, frame.Height, 100.0 * _privacy.BlankedPixels / ((long)frame.Width * frame.Height));
            }

            _tap?.Offer(frame);
            if (frame.FirstOfSession)
            {
                _gate?.Reset();
            }

            if (_heads.Length > 0)
            {
                ScoreFrame(frame);
            }

            var arrival = _arrivals++;
            if (!_schedule.IsSampled(arrival))
            {
                return null;
            }

            var sampledIndex = _sampled++;
            if (!_schedule.IsCovered(sampledIndex))
            {
                return null;
            }

            var slot = _slots.Rent();
            slot.Sequence = frame.Sequence;
            slot.CaptureTime = frame.CaptureTime;
            try
            {
                _preprocessor.Process(frame, slot.Tensor);
            }
            catch
            {
                slot.Release();
                throw;
            }

            _gate?.Observe(frame.Buffer, frame.Width, frame.Height);
            _pendingScores.CopyTo(slot.HeadScores, 0);
            Array.Fill(_pendingScores, double.NaN);
            Push(slot);
            if (!_schedule.CompletesWindow(sampledIndex))
            {
                return null;
            }

            var window = BuildWindow();
            if (_gate is not null && _gate.Skips())
            {
                window.Gated = true;
                _metrics?.WindowsGated.Inc();
            }

            if (_snapshots is not null)
            {
                try
                {
                    window.Snapshot = _snapshots.Capture(frame);
                }
                catch
                {
                    window.Release();
                    throw;
                }
            }

            return window;
        }
        finally
        {
            frame.Dispose();
        }
    }

    /// <summary>
    /// Reads frames until the channel completes, writing finished windows to <paramref name="output"/>.
    /// The wait takes no token: a cancellable wait allocates a waiter for every frame. To stop early,
    /// complete the input channel; <paramref name="cancellationToken"/> is checked between frames.
    /// </summary>
    public async Task RunAsync(ChannelReader<Frame> input, ChannelWriter<Window> output, CancellationToken cancellationToken)
    {
        while (await input.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (input.TryRead(out var frame))
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    frame.Dispose();
                    cancellationToken.ThrowIfCancellationRequested();
                }

                Window? window;
                try
                {
                    window = Process(frame);
                }
                catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
                {
                    _metrics?.FramesDroppedError.Inc();
                    var count = ++_errors;
                    if (_logger is not null && (count & (count - 1)) == 0)
                    {
                        // Logged on the 1st, 2nd, 4th, 8th... failure: visible, never a flood.
                        LogFrameFailed(_logger, CameraId, count, ex.Message);
                    }

                    continue;
                }

                if (window is not null && !output.TryWrite(window))
                {
                    // The window channel completed (shutdown): nobody else will release this one.
                    window.Release();
                }
            }
        }
    }

    private void ScoreFrame(Frame frame)
    {
        for (var h = 0; h < _heads.Length; h++)
        {
            var head = _heads[h];
            if (frame.FirstOfSession)
            {
                // Nothing carries across a reconnect gap (the motion head's flow would span it).
                head.Reset();
            }

            var score = head.Process(frame);
            if (score.HasScore && !(score.Score <= _pendingScores[h]))
            {
                _pendingScores[h] = score.Score;
            }

            FrameScored?.Invoke(head, score);
        }
    }

    private void Push(FrameSlot slot)
    {
        var tail = (_ringHead + _ringCount) % _ring.Length;
        if (_ringCount == _ring.Length)
        {
            _ring[_ringHead].Release();
            _ring[_ringHead] = slot;
            _ringHead = (_ringHead + 1) % _ring.Length;
        }
        else
        {
            _ring[tail] = slot;
            _ringCount++;
        }
    }

    private Window BuildWindow()
    {
        var window = _windows.Rent();
        window.Index = _windowCount++;
        window.BuiltTimestamp = System.Diagnostics.Stopwatch.GetTimestamp();
        for (var i = 0; i < _ring.Length; i++)
        {
            var slot = _ring[(_ringHead + i) % _ring.Length];
            slot.AddReference();
            window.Frames[i] = slot;
        }

        for (var h = 0; h < _heads.Length; h++)
        {
            var highest = double.NaN;
            foreach (var slot in window.Frames)
            {
                if (!(slot.HeadScores[h] <= highest))
                {
                    highest = slot.HeadScores[h];
                }
            }

            if (!double.IsNaN(highest))
            {
                var head = _heads[h];
                window.HeadResults.Add(new HeadResult(head.Name, head.Version, head.Kind, head.Label, highest, head.Threshold, highest > head.Threshold));
            }
        }

        _metrics?.WindowsBuilt.Inc();
        return window;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Camera {CameraId}: a frame could not be prepared for the model ({Count} so far): {Reason}")]
    private static partial void LogFrameFailed(ILogger logger, string cameraId, long count, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {CameraId}: masks and zones blank {Percent:F1}% of each {Width}x{Height} frame")]
    private static partial void LogMaskRasterised(ILogger logger, string cameraId, int width, int height, double percent);

    public void Dispose()
    {
        for (var i = 0; i < _ringCount; i++)
        {
            _ring[(_ringHead + i) % _ring.Length].Release();
        }

        _ringCount = 0;
        _preprocessor.Dispose();
        foreach (var head in _heads)
        {
            head.Dispose();
        }
    }
}
