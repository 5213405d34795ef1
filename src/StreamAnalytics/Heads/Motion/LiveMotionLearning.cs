using System.Diagnostics;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;

namespace StreamAnalytics.Heads.Motion;

/// <summary>
/// What one camera's motion head learns while it runs. Without a model it collects its first
/// <see cref="LiveMotionSettings.LearningDuration"/> of footage and then learns one; afterwards frames that scored
/// below the threshold enter a reservoir, and every <see cref="LiveMotionSettings.RefreshInterval"/> of footage the
/// model is rebuilt from it, so a scene that changes slowly stops looking unusual. A change that alerts for
/// <see cref="LiveMotionSettings.LastingChange"/> (no quiet stretch of <see cref="LiveMotionSettings.ChangeBreak"/>) joins the
/// reservoir at once, up to half of it, and the model is rebuilt: quiet frames alone would never take it in. Learning runs on one pool thread,
/// off the camera's frame path, one camera at a time; each model is saved (atomically) before it is taken up, so a restart resumes from it.
/// <see cref="Observe"/> and <see cref="TryTakeModel"/> are called on the camera's windowing task only.
/// </summary>
internal sealed partial class LiveMotionLearning : IDisposable
{
    // Fewer frames than this cannot hold out anything meaningful.
    private const int MinimumFrames = 20;

    // One camera learns at a time: cameras started together finish learning together, and sixteen rebuilds at once
    // took every core from the frames (a load run dropped windows for seconds). One at a time costs one core.
    private static readonly SemaphoreSlim OneAtATime = new(1, 1);

    private readonly string _cameraId;
    private readonly MotionFeatureOptions _features;
    private readonly LiveMotionSettings _settings;
    private readonly Action<MotionNormalityModel> _save;
    private readonly ILogger _logger;
    private readonly MotionLearningBuffer _buffer;
    private readonly Action<string>? _relearned;
    private readonly CancellationTokenSource _stop = new();
    private MotionNormalityModel? _pending;
    private Task? _learning;
    private bool _hasModel;
    private DateTimeOffset? _lastTime;
    private TimeSpan _footage;
    private TimeSpan _footageAtModel;
    private double _progress;
    private int _reportedStep = -1;

    // The threshold of the model in use (NaN before the first): a rebuild never lowers it.
    private double _threshold = double.NaN;

    // The change alerting now, if any (null: the rule is off), and a uniform sample of its frames, allocated at the camera's first change.
    private readonly LastingChangeRun? _run;
    private MotionLearningBuffer? _change;

    /// <summary>
    /// The seed of the camera's learning sample: from its id, the same on every run, so that a restart or a replay keeps
    /// what the last one kept.
    /// </summary>
    internal static int SampleSeed(string cameraId) => CameraIdHash.SeedOf(cameraId);

    /// <summary>The seed of the sample of a lasting change, independent of <see cref="SampleSeed"/>.</summary>
    internal static int ChangeSeed(string cameraId) => CameraIdHash.SeedOf(cameraId, 0x5f3759df);

    /// <param name="start">The model to start from (a saved state or an offline seed); null: learn one first.</param>
    /// <param name="save">Writes a newly learned model where the next start finds it; an <see cref="IOException"/> is logged, and the model is used anyway.</param>
    /// <param name="relearned">Told, once a model replaces a learned one, why: a <see cref="RelearnReason"/> (the metric's reason).</param>
    public LiveMotionLearning(string cameraId, MotionFeatureOptions features, LiveMotionSettings settings, MotionNormalityModel? start, Action<MotionNormalityModel> save, ILogger logger, Action<string>? relearned = null)
    {
        _relearned = relearned;
        _run = settings.LastingChange > TimeSpan.Zero ? new LastingChangeRun(settings.LastingChange, settings.ChangeBreak) : null;
        _cameraId = cameraId;
        _features = features;
        _settings = settings;
        _save = save;
        _logger = logger;
        _buffer = new MotionLearningBuffer(features.FeatureLength, settings.MaxFrames, SampleSeed(cameraId));
        if (start is not null)
        {
            // A saved model keeps no capture times: its frames are grouped into blocks as if at 10 fps (Ped2's, and a
            // common substream rate), which only decides what the next refresh holds out together.
            _buffer.Seed(start, Math.Max(1, (int)settings.HoldOutBlock.TotalSeconds * 10));
            _hasModel = true;
            _threshold = start.Threshold;
            _progress = 1;
        }
        else
        {
            LogLearning(_cameraId, settings.LearningDuration.TotalMinutes);
        }
    }

    /// <summary>0 to 1 while the first model is learned (footage seen over footage needed, at most 0.99 until it is ready), then 1.</summary>
    public double Progress => Volatile.Read(ref _progress);

    /// <summary>Raised (on the windowing task) when <see cref="Progress"/> crosses a step of 5% and when the first model is taken up.</summary>
    public event Action<double>? ProgressChanged;

    public int SmoothingFrames => _settings.SmoothingFrames;

    /// <summary>Frames held for learning now (tests and diagnostics).</summary>
    public int HeldFrames => _buffer.Count;

    /// <summary>Changes that lasted and joined the model (each one rebuilt it).</summary>
    public int ChangesLearned { get; private set; }

    /// <summary>Completes when the learning in progress (if any) has ended; tests wait on it instead of sleeping.</summary>
    public Task Pending => _learning ?? Task.CompletedTask;

    /// <summary>One frame's features at <paramref name="time"/>; <paramref name="quiet"/>: it scored at or below the threshold (always true while learning the first model).</summary>
    public void Observe(DateTimeOffset time, ReadOnlySpan<float> features, bool quiet)
    {
        var step = TimeSpan.Zero;
        if (_lastTime is { } last && time > last)
        {
            step = time - last < _settings.MaxFrameGap ? time - last : _settings.MaxFrameGap;
            _footage += step;
        }

        _lastTime = time;
        var block = time.ToUnixTimeMilliseconds() / (long)Math.Max(1, _settings.HoldOutBlock.TotalMilliseconds);
        if (_learning is { IsCompleted: true })
        {
            _learning = null;
        }

        if (!_hasModel)
        {
            _buffer.Collect(features, block);

            // A first model learned but not yet taken is the one: learning again would save and hand over a second.
            if (_learning is null && Volatile.Read(ref _pending) is null)
            {
                SetProgress(Math.Min(0.99, _footage / _settings.LearningDuration));
                if (_footage >= _settings.LearningDuration && _buffer.Count >= MinimumFrames)
                {
                    Start(time, first: true, lastingChange: false);
                }
            }

            return;
        }

        if (quiet)
        {
            _buffer.Sample(features, block);
        }

        if (TrackChange(features, block, step, quiet) && _learning is null && Volatile.Read(ref _pending) is null)
        {
            var joined = _buffer.Absorb(_change!);
            _change!.Clear();
            ChangesLearned++;
            LogChangeLearned(_cameraId, _run!.Footage.TotalMinutes, joined, _buffer.Count);
            _run.End();

            // The next refresh is a whole interval of the changed scene later.
            _footageAtModel = _footage;
            Start(time, first: false, lastingChange: true);
            return;
        }

        if (_learning is null && _footage - _footageAtModel >= _settings.RefreshInterval && _buffer.ChangedSinceSnapshot > 0)
        {
            _footageAtModel = _footage;
            Start(time, first: false, lastingChange: false);
        }
    }

    /// <returns>A change has alerted for <see cref="LiveMotionSettings.LastingChange"/>.</returns>
    private bool TrackChange(ReadOnlySpan<float> features, long block, TimeSpan step, bool quiet)
    {
        if (_run is null)
        {
            return false;
        }

        var lasted = _run.Observe(!quiet, step, out var started);
        if (started)
        {
            _change ??= new MotionLearningBuffer(_features.FeatureLength, Math.Max(2, _settings.MaxFrames / 2), ChangeSeed(_cameraId));
            _change.Clear();
        }

        if (!quiet)
        {
            _change!.Sample(features, block);
        }

        return lasted;
    }

    /// <summary>A model learned since the last call, saved already; the caller scores with it from now on.</summary>
    public bool TryTakeModel(out MotionNormalityModel model)
    {
        var learned = Interlocked.Exchange(ref _pending, null);
        if (learned is null)
        {
            model = null!;
            return false;
        }

        if (!_hasModel)
        {
            _hasModel = true;
            _footageAtModel = _footage;
        }

        SetProgress(1);
        _threshold = learned.Threshold;
        model = learned;
        return true;
    }

    /// <summary>A reconnect: the gap is not footage.</summary>
    public void Reset() => _lastTime = null;

    public void Dispose()
    {
        // A learning still running finishes on its pool thread and then sees the stop: it neither saves nor hands over.
        _stop.Cancel();
    }

    private void Start(DateTimeOffset time, bool first, bool lastingChange)
    {
        var floor = first ? double.NaN : _threshold;
        var videos = _buffer.Snapshot();
        var offered = _buffer.Offered;
        var token = _stop.Token;
        if (_settings.LearnInline)
        {
            Learn(videos, offered, time, first, lastingChange, floor, token);
            return;
        }

        _learning = Task.Run(
            async () =>
            {
                try
                {
                    await OneAtATime.WaitAsync(token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                try
                {
                    Learn(videos, offered, time, first, lastingChange, floor, token);
                }
                finally
                {
                    OneAtATime.Release();
                }
            },
            CancellationToken.None);
    }

    private void Learn(IReadOnlyList<IReadOnlyList<float[]>> blocks, long offered, DateTimeOffset time, bool first, bool lastingChange, double floor, CancellationToken token)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            var options = new MotionNormalityOptions
            {
                SmoothingFrames = _settings.SmoothingFrames,
                ThresholdQuantile = _settings.ThresholdQuantile,
                MaxFrames = _settings.MaxFrames,
                HoldOutBlockFrames = int.MaxValue,
            };

            // One thread: the cameras' frames must keep flowing on the other cores while it learns.
            var model = MotionNormalityLearner.Learn(blocks, _features, options, _cameraId, time, maxParallelism: 1);

            // Never more alarming than before. Blocks that repeat one another (a looped clip, a machine's cycle) are held
            // out against their own repeats and score low: on the demo's looped street the 30-minute refresh pulled the
            // threshold from 28.7 down to 1.6 and the street then raised an incident every loop (replay anomaly, 35 loops),
            // and a lasting change on it from 28.9 to 2.3 (MotionLastingChangeFootageTests). The appearance head learned
            // the same at its refresh and keeps its calibrated threshold; this one may still rise with a busier scene.
            if (model.Threshold < floor)
            {
                model = model.WithThreshold(floor);
            }

            if (token.IsCancellationRequested)
            {
                return;
            }

            try
            {
                _save(model);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogSaveFailed(_cameraId, ex.Message);
            }

            Volatile.Write(ref _pending, model);
            if (first)
            {
                LogLearned(_cameraId, model.Frames, offered, blocks.Count, model.Threshold, clock.Elapsed.TotalSeconds);
            }
            else
            {
                LogRefreshed(_cameraId, model.Frames, offered, model.Threshold, clock.Elapsed.TotalSeconds);
                _relearned?.Invoke(lastingChange ? RelearnReason.LastingChange : RelearnReason.Refresh);
            }
        }
        catch (ArgumentException ex)
        {
            LogLearningFailed(_cameraId, ex.Message);
        }
    }

    private void SetProgress(double progress)
    {
        Volatile.Write(ref _progress, progress);
        var step = progress >= 1 ? 20 : (int)(progress * 20);
        if (step != _reportedStep)
        {
            _reportedStep = step;
            ProgressChanged?.Invoke(progress);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {CameraId}: learning what normal motion looks like from its first {Minutes} minutes of footage")]
    private partial void LogLearning(string cameraId, double minutes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {CameraId}: learned normal motion from {Frames} frames (of {Offered} seen, {Blocks} hold-out blocks) in {Seconds:F1} s; threshold {Threshold:F3}. Scoring from now on")]
    private partial void LogLearned(string cameraId, int frames, long offered, int blocks, double threshold, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Camera {CameraId}: motion model rebuilt from {Frames} frames kept (of {Offered} quiet ones seen) in {Seconds:F1} s; threshold {Threshold:F3}")]
    private partial void LogRefreshed(string cameraId, int frames, long offered, double threshold, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {CameraId}: a change of motion that alerted for {Minutes:F1} minutes is now learned as normal (Detection.Motion.LastingChangeMinutes): {Joined} of the {Held} frames kept are now from it, and the model is rebuilt")]
    private partial void LogChangeLearned(string cameraId, double minutes, int joined, int held);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {CameraId}: the learned motion state could not be saved ({Reason}); it is used, but a restart learns again")]
    private partial void LogSaveFailed(string cameraId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {CameraId}: motion learning failed: {Reason}")]
    private partial void LogLearningFailed(string cameraId, string reason);
}
