using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Inference.KServe;
using StreamAnalytics.Observability;
using StreamAnalytics.Retry;

namespace StreamAnalytics.Inference.Remote;

/// <summary>
/// The model run on a KServe v2 endpoint (Triton, say) over gRPC, with raw FP32 tensors. It keeps the local
/// model's batch and output sizes, so the stage batches and reads it as it would the local one. A failed call
/// is retried with backoff up to <see cref="RemoteModelOptions.Retries"/> times; then the batch fails (the
/// stage drops and counts it) or, with <see cref="RemoteModelOptions.FallbackToLocal"/>, runs on the local model,
/// which then takes the batches until a backoff has passed and the endpoint is tried again. The endpoint's
/// metadata is checked against the manifest before the first call, and again after every failure (the server
/// may have come back with another model). Runs one batch at a time, like the stage.
/// </summary>
internal sealed partial class RemoteModel : IInferenceModel, IDisposable
{
    private readonly RemoteModelOptions _options;
    private readonly OnnxModel _local;
    private readonly KServeClient _client;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly byte[] _input;
    private readonly int _itemBytes;
    private readonly float[][] _outputs;
    private readonly ModelInferRequest?[] _requests;
    private readonly ReconnectBackoff _retryDelays;
    private readonly ReconnectBackoff _probeDelays;
    private readonly LogRateLimiter _log;
    private readonly Prometheus.Counter.Child _retries;
    private readonly Prometheus.Counter.Child _fallbackItems;
    private readonly Prometheus.Gauge.Child _up;
    private bool _verified;
    private bool _down;
    private long _nextProbe;
    private bool _ranLocally;

    /// <param name="local">The manifest's model, loaded: its batch and output sizes are the contract, and it runs the fallback. The caller owns it.</param>
    /// <param name="handler">The HTTP handler under the gRPC channel; null: one made here.</param>
    public RemoteModel(RemoteModelOptions options, OnnxModel local, PipelineMetrics metrics, ILogger logger, TimeProvider? time = null, HttpMessageHandler? handler = null, Random? random = null)
    {
        // KServe's raw tensors are little-endian, and so is every platform this builds for (linux-x64).
        System.Diagnostics.Debug.Assert(BitConverter.IsLittleEndian, "raw tensor contents are copied as they are");
        _options = options;
        _local = local;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _client = new KServeClient(options, _time, handler);
        _itemBytes = local.Manifest.Input.ItemElementCount * sizeof(float);
        _input = new byte[local.MaxBatch * _itemBytes];
        _outputs = [.. local.OutputItemSizes.Select(size => new float[local.MaxBatch * size])];
        _requests = new ModelInferRequest?[local.MaxBatch + 1];
        var initial = TimeSpan.FromMilliseconds(options.RetryInitialDelayMilliseconds);
        var max = TimeSpan.FromMilliseconds(options.RetryMaxDelayMilliseconds);
        _retryDelays = new ReconnectBackoff(initial, max, random);
        _probeDelays = new ReconnectBackoff(initial, max, random);
        _log = new LogRateLimiter(5, TimeSpan.FromMinutes(1), _time);
        _retries = metrics.RemoteRetries.WithLabels(local.Manifest.Name);
        _fallbackItems = metrics.RemoteFallbackItems.WithLabels(local.Manifest.Name);
        _up = metrics.RemoteUp.WithLabels(local.Manifest.Name);
        ExecutionProvider = $"{_client.Where["Model.Remote: ".Length..]}" + (options.FallbackToLocal ? $", falling back to {local.ExecutionProvider}" : string.Empty);
    }

    public ModelManifest Manifest => _local.Manifest;

    public string ExecutionProvider { get; }

    public int MaxBatch => _local.MaxBatch;

    public IReadOnlyList<int> OutputItemSizes => _local.OutputItemSizes;

    public Span<float> InputItem(int index) => MemoryMarshal.Cast<byte, float>(_input.AsSpan(index * _itemBytes, _itemBytes));

    public ReadOnlySpan<float> OutputItem(int output, int index) => _ranLocally
        ? _local.OutputItem(output, index)
        : _outputs[output].AsSpan(index * OutputItemSizes[output], OutputItemSizes[output]);

    /// <remarks>
    /// Awaits resume on the caller's context (<c>ConfigureAwait(true)</c>): on the stage's inference thread, the
    /// local fallback then runs there, as every ONNX Runtime call does.
    /// </remarks>
    public async ValueTask<TimeSpan> RunAsync(int count, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxBatch);
        var started = _time.GetTimestamp();
        _ranLocally = false;
        if (_options.FallbackToLocal && _down && _time.GetTimestamp() < _nextProbe)
        {
            return RunLocally(count, started);
        }

        // While falling back, one probe per backoff: retries would hold up batches the local model can run.
        var attempts = _options.FallbackToLocal && _down ? 1 : _options.Retries + 1;
        _retryDelays.Reset();
        Exception failure;
        var attempt = 1;
        for (; ; attempt++)
        {
            try
            {
                await CallAsync(count, cancellationToken).ConfigureAwait(true);
                MarkUp();
                return _time.GetElapsedTime(started);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failure = ex;
                _verified = false;
                if (attempt >= attempts || ex is RemoteInferenceException { Retryable: false })
                {
                    break;
                }

                _retries.Inc();
                var delay = _retryDelays.Next();
                if (_log.TryAcquire(out var suppressed))
                {
                    LogRetrying(_client.Where, attempt, KServeClient.Describe(ex), delay.TotalMilliseconds, suppressed);
                }

                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(true);
            }
        }

        _down = true;
        _up.Set(0);
        var reason = KServeClient.Describe(failure);
        if (!_options.FallbackToLocal)
        {
            // A mismatch already says everything; attempts would only blur it.
            if (failure is RemoteInferenceException { Retryable: false })
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
            }

            throw new RemoteInferenceException($"{_client.Where} failed ({attempt} attempt(s)): {reason}", retryable: true, failure);
        }

        var probeIn = _probeDelays.Next();
        _nextProbe = _time.GetTimestamp() + (long)(probeIn.TotalSeconds * _time.TimestampFrequency);
        if (_log.TryAcquire(out var skipped))
        {
            LogFallingBack(_client.Where, reason, _local.ExecutionProvider, probeIn.TotalMilliseconds, skipped);
        }

        return RunLocally(count, started);
    }

    private async Task CallAsync(int count, CancellationToken cancellationToken)
    {
        if (!_verified)
        {
            var metadata = await _client.MetadataAsync(cancellationToken).ConfigureAwait(false);
            var problems = KServeMetadataCheck.Problems(metadata, this, _client.Where);
            if (problems.Count > 0)
            {
                throw new RemoteInferenceException(string.Join(" ", problems), retryable: false);
            }

            _verified = true;
        }

        var response = await _client.InferAsync(Request(count), cancellationToken).ConfigureAwait(false);
        ReadOutputs(response, count);
    }

    /// <summary>One request per batch size, over the input buffer itself: its bytes are read when the call is sent.</summary>
    private ModelInferRequest Request(int count)
    {
        if (_requests[count] is { } cached)
        {
            return cached;
        }

        var request = new ModelInferRequest { ModelName = _client.ModelName, ModelVersion = _client.ModelVersion };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = Manifest.Input.Name, Datatype = KServeMetadataCheck.Fp32 };
        input.Shape.Add(count);
        input.Shape.Add(Manifest.Input.ItemShape.Select(d => (long)d));
        request.Inputs.Add(input);
        request.Outputs.Add(Manifest.Outputs.Select(o => new ModelInferRequest.Types.InferRequestedOutputTensor { Name = o.Name }));
        request.RawInputContents.Add(UnsafeByteOperations.UnsafeWrap(_input.AsMemory(0, count * _itemBytes)));
        return _requests[count] = request;
    }

    private void ReadOutputs(ModelInferResponse response, int count)
    {
        for (var o = 0; o < Manifest.Outputs.Count; o++)
        {
            var name = Manifest.Outputs[o].Name;
            var index = -1;
            for (var i = 0; i < response.Outputs.Count && index < 0; i++)
            {
                index = response.Outputs[i].Name == name ? i : -1;
            }

            if (index < 0)
            {
                throw new RemoteInferenceException($"{_client.Where} answered without output '{name}'.", retryable: false);
            }

            var tensor = response.Outputs[index];
            if (tensor.Datatype != KServeMetadataCheck.Fp32)
            {
                throw new RemoteInferenceException($"{_client.Where} answered output '{name}' as {tensor.Datatype}, not {KServeMetadataCheck.Fp32}.", retryable: false);
            }

            // Servers answer raw contents when asked with raw inputs (Triton does); typed contents are read too.
            var values = index < response.RawOutputContents.Count
                ? MemoryMarshal.Cast<byte, float>(response.RawOutputContents[index].Span)
                : (tensor.Contents?.Fp32Contents.ToArray() ?? []).AsSpan();
            var expected = count * OutputItemSizes[o];
            if (values.Length != expected)
            {
                throw new RemoteInferenceException($"{_client.Where} answered {values.Length} values for output '{name}' of {count} items; the manifest's model gives {OutputItemSizes[o]} per item.", retryable: false);
            }

            values.CopyTo(_outputs[o]);
        }
    }

    private TimeSpan RunLocally(int count, long started)
    {
        for (var i = 0; i < count; i++)
        {
            InputItem(i).CopyTo(_local.InputItem(i));
        }

        _local.Run(count);
        _ranLocally = true;
        _fallbackItems.Inc(count);
        return _time.GetElapsedTime(started);
    }

    private void MarkUp()
    {
        if (_down)
        {
            LogRecovered(_client.Where);
        }

        _down = false;
        _probeDelays.Reset();
        _up.Set(1);
    }

    public void Dispose() => _client.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Where}: attempt {Attempt} failed ({Reason}); retrying in {DelayMs:0} ms ({Suppressed} such lines suppressed before this one)")]
    private partial void LogRetrying(string where, int attempt, string reason, double delayMs, int suppressed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Where} failed ({Reason}); running batches on the local model ({Provider}), trying the endpoint again in {DelayMs:0} ms ({Suppressed} such lines suppressed before this one)")]
    private partial void LogFallingBack(string where, string reason, string provider, double delayMs, int suppressed);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Where} answers again; batches run there")]
    private partial void LogRecovered(string where);
}
