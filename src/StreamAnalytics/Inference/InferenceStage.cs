using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Contracts;
using StreamAnalytics.Observability;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Inference;

/// <summary>
/// The one consumer of every camera's windows. It batches what is queued across cameras: frames for
/// a per-frame encoder (each frame encoded once, its outputs kept on the frame for every overlapping
/// window), whole windows for a clip model. A failed run fails only the windows of that batch. Then every
/// window head (<see cref="IWindowHead"/>) sees each window's outputs while its frames are still held (an
/// action head's recipe reads the <c>featureMap</c> outputs there; results do not carry them), and the
/// result carries every head's verdict, the frame heads' from windowing first. The model is local
/// (<see cref="OnnxModel"/>) or remote (<see cref="Remote.RemoteModel"/>), batched the same way either way.
/// A window its camera's motion gate marked (<see cref="Window.Gated"/>) runs neither the model nor the window heads:
/// its result carries the frame heads' verdicts and the window heads' last verdicts on that camera (the scene has not
/// changed since), so detection still sees time pass and an open incident neither closes nor is held by a still scene.
/// </summary>
internal sealed partial class InferenceStage
{
    private readonly IInferenceModel _model;
    private readonly PipelineMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Prometheus.Histogram.Child _duration;
    private readonly Prometheus.Counter.Child _failures;
    private readonly Prometheus.Counter.Child _encoded;
    private readonly List<Window> _batch;
    private readonly List<FrameSlot> _pending;
    private readonly int _featureLength;

    private readonly TimeProvider _time;
    private readonly TimeSpan _maxWait;
    private readonly Prometheus.Histogram.Child _batchSize;
    private readonly Prometheus.Histogram.Child _queueWait;
    private readonly bool[] _perFrameOnly;
    private readonly IWindowHead[] _heads;
    private readonly LogRateLimiter _failureLog;
    private readonly List<Window> _ungated;

    // A camera's verdicts are forgotten once it has sent no window for a whole sweep: longer than a gate may skip
    // (Gate.MaxSkipSeconds is at most an hour), so its next window runs the model anyway. Removed cameras leave no entry.
    private static readonly TimeSpan VerdictSweep = TimeSpan.FromHours(1);

    // The window heads' verdicts on each camera's last window that ran the model: what its gated windows carry.
    private readonly Dictionary<string, HeadResult[]> _lastVerdicts = new(StringComparer.Ordinal);
    private readonly HashSet<string> _camerasSinceSweep = new(StringComparer.Ordinal);
    private DateTimeOffset _nextSweep;

    /// <param name="maxWait">How long the first queued item may wait for others to fill the batch.</param>
    /// <param name="heads">
    /// Run on every window, in order, after the model; they share this stage's single consumer thread, which a
    /// head's own ONNX session needs. The caller owns them.
    /// </param>
    public InferenceStage(IInferenceModel model, PipelineMetrics metrics, ILogger logger, TimeProvider? time = null, TimeSpan? maxWait = null, IReadOnlyList<IWindowHead>? heads = null)
    {
        _heads = [.. heads ?? []];

        // A feature map is 25,088 floats a frame for ResNet-18: its window mean cost 0.8-2 ms and a 100 KB array
        // per window here, and nothing reads it (DetectionStage ignores the role; the head reads the frames').
        _perFrameOnly = [.. model.Manifest.Outputs.Select(o => o.Role == OutputRole.FeatureMap)];
        _time = time ?? TimeProvider.System;
        _maxWait = maxWait ?? TimeSpan.Zero;
        _batchSize = metrics.InferenceBatchSize.WithLabels(model.Manifest.Name);
        _queueWait = metrics.InferenceQueueWait.WithLabels(model.Manifest.Name);
        _model = model;
        _metrics = metrics;
        _logger = logger;
        _duration = metrics.InferenceDuration.WithLabels(model.Manifest.Name);
        _failures = metrics.InferenceFailures.WithLabels(model.Manifest.Name);
        _encoded = metrics.FramesEncoded.WithLabels(model.Manifest.Name);
        _batch = new List<Window>(model.MaxBatch);
        _pending = new List<FrameSlot>(model.MaxBatch);
        _ungated = new List<Window>(model.MaxBatch);
        _featureLength = model.OutputItemSizes.Sum();
        _nextSweep = _time.GetUtcNow() + VerdictSweep;

        // A remote endpoint that is down fails every batch: say so, but not several times a second.
        _failureLog = new LogRateLimiter(5, TimeSpan.FromMinutes(1), _time);
    }

    public IInferenceModel Model => _model;

    public async Task RunAsync(ChannelReader<Window> input, ChannelWriter<WindowInference> output, CancellationToken cancellationToken)
    {
        var collector = new BatchCollector<Window>(input, _model.MaxBatch, _maxWait, _time, Weigh);
        using var thread = new InferenceThread($"sa-infer-{_model.Manifest.Name}");
        while (await collector.NextAsync(_batch, cancellationToken).ConfigureAwait(false))
        {
            var now = System.Diagnostics.Stopwatch.GetTimestamp();
            foreach (var window in _batch)
            {
                _queueWait.Observe(System.Diagnostics.Stopwatch.GetElapsedTime(window.BuiltTimestamp, now).TotalSeconds);
            }

            List<WindowInference>? results = null;
            try
            {
                results = await thread.RunAsync(() => InferAsync(_batch, cancellationToken), cancellationToken).Unwrap().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _failures.Inc(_batch.Count);
                if (_failureLog.TryAcquire(out var suppressed))
                {
                    LogRunFailed(_model.Manifest.Name, _batch.Count, ex.Message, suppressed);
                }
            }
            finally
            {
                foreach (var window in _batch)
                {
                    window.Release();
                }
            }

            foreach (var result in results ?? [])
            {
                await output.WriteAsync(result, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// What a window adds to a batch: one clip for a clip model; for a per-frame encoder, its frames not
    /// yet encoded and not already brought by an earlier window of the same camera in this batch.
    /// </summary>
    private int Weigh(Window window, IReadOnlyList<Window> batchSoFar)
    {
        if (window.Gated)
        {
            return 0;
        }

        if (_model.Manifest.Input.Layout == TensorLayout.Ncthw)
        {
            return 1;
        }

        var counted = long.MinValue;
        foreach (var earlier in batchSoFar)
        {
            if (earlier.CameraId == window.CameraId && earlier.LastSequence > counted)
            {
                counted = earlier.LastSequence;
            }
        }

        var weight = 0;
        foreach (var frame in window.Frames)
        {
            if (!frame.HasFeatures && frame.Sequence > counted)
            {
                weight++;
            }
        }

        return weight;
    }

    /// <summary>
    /// Runs the model over these windows; the caller keeps ownership of them. With a local model it completes
    /// synchronously. Its awaits resume on the captured context (<c>ConfigureAwait(true)</c>): on the stage's
    /// inference thread, the window heads then still run there after a remote call.
    /// </summary>
    public async Task<List<WindowInference>> InferAsync(IReadOnlyList<Window> windows, CancellationToken cancellationToken)
    {
        SweepVerdicts(windows);
        _ungated.Clear();
        foreach (var window in windows)
        {
            if (!window.Gated)
            {
                _ungated.Add(window);
            }
        }

        var inferred = _ungated.Count == 0 ? [] : await InferUngatedAsync(_ungated.Count == windows.Count ? windows : [.. _ungated], cancellationToken).ConfigureAwait(true);

        // In window order, so a gated window carries the verdicts of the window before it, not of a later one in the batch.
        var results = new List<WindowInference>(windows.Count);
        var next = 0;
        foreach (var window in windows)
        {
            if (window.Gated)
            {
                results.Add(Carry(window));
                continue;
            }

            var result = inferred[next++];
            _lastVerdicts[window.CameraId] = [.. result.Heads.Skip(window.HeadResults.Count)];
            results.Add(result);
        }

        return results;
    }

    private async Task<List<WindowInference>> InferUngatedAsync(IReadOnlyList<Window> windows, CancellationToken cancellationToken)
    {
        if (_model.Manifest.Input.Layout == TensorLayout.Nchw)
        {
            await EncodeFramesAsync(windows, cancellationToken).ConfigureAwait(true);
            return [.. windows.Select(AggregateFrames)];
        }

        var results = new List<WindowInference>(windows.Count);
        for (var start = 0; start < windows.Count; start += _model.MaxBatch)
        {
            var count = Math.Min(_model.MaxBatch, windows.Count - start);
            for (var i = 0; i < count; i++)
            {
                ClipTensor.Fill(windows[start + i], _model.Manifest.Input, _model.InputItem(i));
            }

            Observe(await _model.RunAsync(count, cancellationToken).ConfigureAwait(true));
            _batchSize.Observe(count);
            for (var i = 0; i < count; i++)
            {
                results.Add(ToResult(windows[start + i], CopyOutputs(i)));
            }
        }

        return results;
    }

    private async Task EncodeFramesAsync(IReadOnlyList<Window> windows, CancellationToken cancellationToken)
    {
        _pending.Clear();
        foreach (var window in windows)
        {
            foreach (var slot in window.Frames)
            {
                // Overlapping windows share slots: encode each one once.
                if (!slot.HasFeatures && !_pending.Contains(slot))
                {
                    _pending.Add(slot);
                }
            }
        }

        for (var start = 0; start < _pending.Count; start += _model.MaxBatch)
        {
            var count = Math.Min(_model.MaxBatch, _pending.Count - start);
            for (var i = 0; i < count; i++)
            {
                _pending[start + i].Tensor.AsSpan().CopyTo(_model.InputItem(i));
            }

            Observe(await _model.RunAsync(count, cancellationToken).ConfigureAwait(true));
            _batchSize.Observe(count);
            _encoded.Inc(count);
            for (var i = 0; i < count; i++)
            {
                var slot = _pending[start + i];
                var features = slot.EnsureFeatures(_featureLength);
                var offset = 0;
                for (var o = 0; o < _model.OutputItemSizes.Count; o++)
                {
                    _model.OutputItem(o, i).CopyTo(features[offset..]);
                    offset += _model.OutputItemSizes[o];
                }

                slot.MarkFeaturesReady();
            }
        }

        _pending.Clear();
    }

    /// <summary>A window's output from its frames' outputs: the mean over its frames, per output.</summary>
    private WindowInference AggregateFrames(Window window)
    {
        var outputs = new float[_model.OutputItemSizes.Count][];
        var offset = 0;
        for (var o = 0; o < outputs.Length; o++)
        {
            var size = _model.OutputItemSizes[o];
            if (_perFrameOnly[o])
            {
                outputs[o] = [];
                offset += size;
                continue;
            }

            var sum = new float[size];
            foreach (var slot in window.Frames)
            {
                var features = slot.Features.AsSpan(offset, size);
                for (var k = 0; k < size; k++)
                {
                    sum[k] += features[k];
                }
            }

            var inverse = 1f / window.Length;
            for (var k = 0; k < size; k++)
            {
                sum[k] *= inverse;
            }

            outputs[o] = sum;
            offset += size;
        }

        return ToResult(window, outputs);
    }

    private float[][] CopyOutputs(int index)
    {
        var outputs = new float[_model.OutputItemSizes.Count][];
        for (var o = 0; o < outputs.Length; o++)
        {
            outputs[o] = _perFrameOnly[o] ? [] : _model.OutputItem(o, index).ToArray();
        }

        return outputs;
    }

    /// <summary>Cameras with last verdicts kept (see <see cref="VerdictSweep"/>).</summary>
    internal int CamerasWithVerdicts => _lastVerdicts.Count;

    private void SweepVerdicts(IReadOnlyList<Window> windows)
    {
        foreach (var window in windows)
        {
            _camerasSinceSweep.Add(window.CameraId);
        }

        var now = _time.GetUtcNow();
        if (now < _nextSweep)
        {
            return;
        }

        foreach (var cameraId in _lastVerdicts.Keys)
        {
            if (!_camerasSinceSweep.Contains(cameraId))
            {
                _lastVerdicts.Remove(cameraId);
            }
        }

        _camerasSinceSweep.Clear();
        _nextSweep = now + VerdictSweep;
    }

    /// <summary>A gated window's result: its frame heads' verdicts, then the window heads' last ones on its camera; no outputs.</summary>
    private WindowInference Carry(Window window)
    {
        var heads = new List<HeadResult>(window.HeadResults);
        if (_lastVerdicts.TryGetValue(window.CameraId, out var last))
        {
            heads.AddRange(last);
        }

        var outputs = new float[_model.OutputItemSizes.Count][];
        Array.Fill(outputs, []);
        return Result(window, outputs, heads);
    }

    private WindowInference ToResult(Window window, float[][] outputs)
    {
        var heads = new List<HeadResult>(window.HeadResults.Count + _heads.Length);
        heads.AddRange(window.HeadResults);
        var view = new WindowOutputs(window.CameraId, window.Index, window.LastCaptureTime, _model.Manifest, outputs, window);
        foreach (var head in _heads)
        {
            head.Evaluate(view, heads);
        }

        return Result(window, outputs, heads);
    }

    private WindowInference Result(Window window, float[][] outputs, List<HeadResult> heads)
    {
        return new WindowInference(
            window.CameraId,
            window.Index,
            window.FirstSequence,
            window.LastSequence,
            window.FirstCaptureTime,
            window.LastCaptureTime,
            _model.Manifest,
            outputs)
        {
            Heads = heads,
            Snapshot = window.TakeSnapshot(),
        };
    }

    private void Observe(TimeSpan duration) => _duration.Observe(duration.TotalSeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Model {Model}: a run failed; {Windows} windows lost: {Reason} ({Suppressed} such lines suppressed before this one)")]
    private partial void LogRunFailed(string model, int windows, string reason, int suppressed);
}
