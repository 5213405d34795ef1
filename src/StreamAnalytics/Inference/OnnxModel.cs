using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace StreamAnalytics.Inference;

/// <summary>
/// One ONNX Runtime session checked against its manifest, with input and output buffers allocated once
/// for the largest batch and reused by every run.
/// </summary>
public sealed partial class OnnxModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly float[] _input;
    private readonly float[][] _outputs;
    private readonly RunOptions _runOptions = new();
    private readonly string[] _inputNames;
    private readonly string[] _outputNames;
    private readonly OrtValue?[] _inputValues;
    private readonly OrtValue[]?[] _outputValues;
    private readonly OrtIoBinding?[] _bindings;

    private OnnxModel(ModelManifest manifest, InferenceSession session, string executionProvider, int maxBatch, int[] outputItemSizes)
    {
        Manifest = manifest;
        _session = session;
        ExecutionProvider = executionProvider;
        MaxBatch = maxBatch;
        OutputItemSizes = outputItemSizes;
        _input = GC.AllocateUninitializedArray<float>(maxBatch * manifest.Input.ItemElementCount, pinned: true);
        _outputs = [.. outputItemSizes.Select(size => GC.AllocateUninitializedArray<float>(maxBatch * size, pinned: true))];
        _inputNames = [manifest.Input.Name];
        _outputNames = [.. manifest.Outputs.Select(o => o.Name)];
        _inputValues = new OrtValue?[maxBatch + 1];
        _outputValues = new OrtValue[]?[maxBatch + 1];
        _bindings = new OrtIoBinding?[maxBatch + 1];
    }

    public ModelManifest Manifest { get; }

    /// <summary>Where the session really runs: <c>cuda</c> or <c>cpu</c> (after any fallback).</summary>
    public string ExecutionProvider { get; }

    /// <summary>Items per run; 1 when the ONNX file fixes its batch dimension (items then run one by one).</summary>
    public int MaxBatch { get; }

    /// <summary>Elements per batch item of each manifest output, in manifest order.</summary>
    public IReadOnlyList<int> OutputItemSizes { get; }

    /// <summary>Batch item <paramref name="index"/> of the input buffer.</summary>
    public Span<float> InputItem(int index) =>
        _input.AsSpan(index * Manifest.Input.ItemElementCount, Manifest.Input.ItemElementCount);

    /// <summary>Batch item <paramref name="index"/> of output <paramref name="output"/> from the last run.</summary>
    public ReadOnlySpan<float> OutputItem(int output, int index) =>
        _outputs[output].AsSpan(index * OutputItemSizes[output], OutputItemSizes[output]);

    /// <param name="executionProvider"><c>cpu</c>, <c>cuda</c> or <c>tensorrt</c>; a GPU provider that cannot load falls back (with a warning) to the next.</param>
    /// <param name="tensorRtCacheDirectory">TensorRT's engine cache; null: the working folder's <c>trt-engines</c>.</param>
    public static OnnxModel Load(ModelManifest manifest, string executionProvider, int deviceId, int intraOpThreads, int maxBatch, ILogger logger, string? tensorRtCacheDirectory = null)
    {
        var providers = new ProviderChoice(executionProvider, deviceId, intraOpThreads, tensorRtCacheDirectory ?? "trt-engines");
        if (executionProvider != "cpu" && manifest.Fp16ModelPath is { } fp16)
        {
            // The FP16 variant is for the GPU. If no GPU provider loads, the FP32 file is what the CPU should run.
            var half = LoadFile(manifest with { ModelPath = fp16 }, providers, maxBatch, logger);
            if (half.ExecutionProvider != "cpu")
            {
                LogFp16(logger, manifest.Name, fp16, half.ExecutionProvider);
                return half;
            }

            half.Dispose();
            return LoadFile(manifest, providers with { ExecutionProvider = "cpu" }, maxBatch, logger);
        }

        return LoadFile(manifest, providers, maxBatch, logger);
    }

    private static OnnxModel LoadFile(ModelManifest manifest, ProviderChoice providers, int maxBatch, ILogger logger)
    {
        var exposed = ExposeIntermediateOutputs(manifest, logger);
        var (session, provider) = CreateSession(manifest, providers, logger, modelBytes: exposed);
        try
        {
            var (batchFixed, outputSizes) = CheckAgainstManifest(manifest, session);
            if (batchFixed && maxBatch > 1 && TryBatchable(manifest, exposed, providers, logger) is { } batchable)
            {
                session.Dispose();
                (session, provider) = batchable;
                (batchFixed, outputSizes) = CheckAgainstManifest(manifest, session);
                LogBatchMadeSymbolic(logger, manifest.Name, maxBatch);
            }

            var batch = batchFixed ? 1 : maxBatch;
            if (batchFixed && maxBatch > 1)
            {
                LogBatchFixed(logger, manifest.Name);
            }

            var model = new OnnxModel(manifest, session, provider, batch, outputSizes);
            model.WarmUp();
            LogLoaded(logger, manifest.Name, manifest.Version, provider, batch);
            return model;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <summary>Runs the first <paramref name="count"/> items of the input buffer.</summary>
    public TimeSpan Run(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, MaxBatch);
        // One binding per batch size, over the same pinned buffers: a run then allocates nothing.
        var binding = _bindings[count] ??= CreateBinding(count);
        var started = Stopwatch.GetTimestamp();
        _session.RunWithBinding(_runOptions, binding);
        return Stopwatch.GetElapsedTime(started);
    }

    private OrtIoBinding CreateBinding(int count)
    {
        var binding = _session.CreateIoBinding();
        binding.BindInput(_inputNames[0], _inputValues[count] ??= CreateInputValue(count));
        var outputs = _outputValues[count] ??= CreateOutputValues(count);
        for (var i = 0; i < outputs.Length; i++)
        {
            binding.BindOutput(_outputNames[i], outputs[i]);
        }

        return binding;
    }

    private OrtValue CreateInputValue(int count)
    {
        long[] shape = [count, .. Manifest.Input.ItemShape.Select(d => (long)d)];
        return OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _input.AsMemory(0, count * Manifest.Input.ItemElementCount), shape);
    }

    private OrtValue[] CreateOutputValues(int count)
    {
        var values = new OrtValue[_outputNames.Length];
        for (var i = 0; i < values.Length; i++)
        {
            var dims = _session.OutputMetadata[_outputNames[i]].Dimensions;
            var shape = new long[dims.Length];
            shape[0] = count;
            for (var d = 1; d < dims.Length; d++)
            {
                shape[d] = dims[d];
            }

            values[i] = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, _outputs[i].AsMemory(0, count * OutputItemSizes[i]), shape);
        }

        return values;
    }

    /// <summary>
    /// Runs batch 1 and the largest batch once, so the first live batch does not pay for allocator growth
    /// or (on CUDA) cuDNN's algorithm search.
    /// </summary>
    private void WarmUp()
    {
        _input.AsSpan().Clear();
        Run(1);
        if (MaxBatch > 1)
        {
            Run(MaxBatch);
        }
    }

    /// <summary>
    /// The ONNX file pins its batch at 1: load it again with that dimension made symbolic (in memory), so
    /// one run takes a whole batch. Null (and the caller keeps running items one by one) if the graph
    /// does not accept that.
    /// </summary>
    private static (InferenceSession Session, string Provider)? TryBatchable(ModelManifest manifest, byte[]? modelBytes, ProviderChoice providers, ILogger logger)
    {
        if (OnnxBatchDimension.MakeSymbolic(modelBytes ?? File.ReadAllBytes(manifest.ModelPath)) is not { } symbolic)
        {
            return null;
        }

        try
        {
            var candidate = CreateSession(manifest, providers, NullLoggerForRetry, symbolic);
            if (candidate.Session.InputMetadata[manifest.Input.Name].Dimensions[0] > 0)
            {
                candidate.Session.Dispose();
                return null;
            }

            return candidate;
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or ModelManifestException)
        {
            LogBatchNotSymbolic(logger, manifest.Name, FirstLine(ex.Message));
            return null;
        }
    }

    /// <summary>
    /// The model's bytes with the manifest's outputs that are intermediate tensors (such as a backbone's last
    /// feature map) exposed as graph outputs; null when every manifest output already is one, and the file
    /// is then loaded as it is. A file that cannot be read or parsed here is left for ONNX Runtime to report.
    /// </summary>
    private static byte[]? ExposeIntermediateOutputs(ModelManifest manifest, ILogger logger)
    {
        try
        {
            var bytes = OnnxGraphOutputs.Expose(File.ReadAllBytes(manifest.ModelPath), [.. manifest.Outputs.Select(o => o.Name)], out var exposed);
            if (bytes is not null)
            {
                LogIntermediateExposed(logger, manifest.Name, string.Join(", ", exposed));
            }

            return bytes;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or OverflowException)
        {
            return null;
        }
    }

    private static readonly ILogger NullLoggerForRetry = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;

    /// <summary>
    /// ONNX Runtime starts a session's intra-op threads when the session is built, and native threads take the
    /// name of the thread that started them: built on a pool thread they read ".NET TP Worker" in top -H and
    /// /proc, and their CPU looks like the .NET thread pool's. Built here, they read "sa-onnx".
    /// </summary>
    private static (InferenceSession Session, string Provider) CreateSession(ModelManifest manifest, ProviderChoice providers, ILogger logger, byte[]? modelBytes)
    {
        (InferenceSession Session, string Provider) created = default;
        System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                created = CreateSessionHere(manifest, providers, logger, modelBytes);
            }
            catch (Exception ex)
            {
                failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex);
            }
        })
        {
            Name = "sa-onnx",
            IsBackground = true,
        };
        thread.Start();
        thread.Join();
        failure?.Throw();
        return created;
    }

    private static (InferenceSession Session, string Provider) CreateSessionHere(ModelManifest manifest, ProviderChoice providers, ILogger logger, byte[]? modelBytes)
    {
        if (providers.ExecutionProvider == "tensorrt")
        {
            var options = NewOptions(providers.IntraOpThreads);
            try
            {
                using var trt = new OrtTensorRTProviderOptions();
                Directory.CreateDirectory(providers.TensorRtCacheDirectory);
                trt.UpdateOptions(new Dictionary<string, string>
                {
                    ["device_id"] = providers.DeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    ["trt_engine_cache_enable"] = "1",
                    ["trt_engine_cache_path"] = Path.GetFullPath(providers.TensorRtCacheDirectory),
                });
                options.AppendExecutionProvider_Tensorrt(trt);
                // Nodes TensorRT does not take run on CUDA rather than on the CPU.
                options.AppendExecutionProvider_CUDA(providers.DeviceId);
                return (modelBytes is null ? new InferenceSession(manifest.ModelPath, options) : new InferenceSession(modelBytes, options), "tensorrt");
            }
            catch (Exception ex) when (ex is OnnxRuntimeException or IOException or UnauthorizedAccessException)
            {
                LogProviderUnavailable(logger, manifest.Name, "TensorRT", FirstLine(ex.Message), "CUDA");
            }
            finally
            {
                options.Dispose();
            }
        }

        if (providers.ExecutionProvider is "cuda" or "tensorrt")
        {
            var options = NewOptions(providers.IntraOpThreads);
            try
            {
                options.AppendExecutionProvider_CUDA(providers.DeviceId);
                // Any failure to build a CUDA session (missing libraries, cuDNN errors, no device) falls back
                // to CPU; a broken ONNX file then fails again below and is reported as such.
                return (modelBytes is null ? new InferenceSession(manifest.ModelPath, options) : new InferenceSession(modelBytes, options), "cuda");
            }
            catch (OnnxRuntimeException ex)
            {
                LogCudaUnavailable(logger, manifest.Name, FirstLine(ex.Message));
            }
            finally
            {
                options.Dispose();
            }
        }

        return (OpenSession(manifest, NewOptions(providers.IntraOpThreads), modelBytes), "cpu");
    }

    private static SessionOptions NewOptions(int intraOpThreads)
    {
        var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        // A live pipeline runs a model a few times a second: worker threads that spin between runs waste a core.
        options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
        options.AddSessionConfigEntry("session.inter_op.allow_spinning", "0");
        if (intraOpThreads > 0)
        {
            options.IntraOpNumThreads = intraOpThreads;
        }

        return options;
    }

    private static InferenceSession OpenSession(ModelManifest manifest, SessionOptions options, byte[]? modelBytes)
    {
        try
        {
            return modelBytes is null ? new InferenceSession(manifest.ModelPath, options) : new InferenceSession(modelBytes, options);
        }
        catch (OnnxRuntimeException ex) when (!ex.Message.Contains("CUDA", StringComparison.OrdinalIgnoreCase) && !ex.Message.Contains("shared library", StringComparison.OrdinalIgnoreCase))
        {
            throw new ModelManifestException(manifest.ManifestPath, [$"ONNX file '{manifest.ModelPath}' could not be loaded: {FirstLine(ex.Message)}"]);
        }
        finally
        {
            options.Dispose();
        }
    }

    /// <summary>Compares the manifest's promises with the ONNX graph; every mismatch names both files.</summary>
    internal static (bool BatchFixed, int[] OutputSizes) CheckAgainstManifest(ModelManifest manifest, InferenceSession session)
    {
        var problems = new List<string>();
        var onnx = $"ONNX file '{manifest.ModelPath}'";
        var batchFixed = false;
        var input = manifest.Input;
        if (!session.InputMetadata.TryGetValue(input.Name, out var inputMeta))
        {
            problems.Add($"the manifest's input '{input.Name}' is not in {onnx}, whose inputs are: {string.Join(", ", session.InputMetadata.Keys)}.");
        }
        else
        {
            int[] expected = [-1, .. input.ItemShape];
            var actual = inputMeta.Dimensions;
            var mismatch = actual.Length != expected.Length
                || Enumerable.Range(1, expected.Length - 1).Any(d => actual[d] > 0 && actual[d] != expected[d]);
            if (mismatch)
            {
                problems.Add($"the manifest declares input '{input.Name}' as {input.Layout.ToString().ToUpperInvariant()} {Shape(expected)} but {onnx} has {Shape(actual)}.");
            }
            else if (actual[0] > 1)
            {
                problems.Add($"{onnx} fixes the batch dimension of '{input.Name}' at {actual[0]}; it must be 1 or symbolic.");
            }

            batchFixed = actual.Length > 0 && actual[0] == 1;
            if (inputMeta.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float)
            {
                problems.Add($"{onnx} takes {inputMeta.ElementDataType} for '{input.Name}'; the pipeline feeds float32.");
            }
        }

        var sizes = new int[manifest.Outputs.Count];
        for (var i = 0; i < manifest.Outputs.Count; i++)
        {
            var output = manifest.Outputs[i];
            if (!session.OutputMetadata.TryGetValue(output.Name, out var meta))
            {
                problems.Add($"the manifest's output '{output.Name}' is not in {onnx}, whose outputs are: {string.Join(", ", session.OutputMetadata.Keys)}.");
                continue;
            }

            var dims = meta.Dimensions;
            if (dims.Skip(1).Any(d => d <= 0))
            {
                problems.Add($"output '{output.Name}' of {onnx} has shape {Shape(dims)}: only the batch dimension may be symbolic.");
                continue;
            }

            sizes[i] = dims.Skip(1).Aggregate(1, (a, b) => a * b);
            if (output.Role == OutputRole.ClassLogits && sizes[i] != output.Labels.Count)
            {
                problems.Add($"the manifest lists {output.Labels.Count} labels for output '{output.Name}' but {onnx} gives {sizes[i]} values {Shape(dims)}.");
            }

            if (output.Role == OutputRole.AnomalyScore && sizes[i] != 1)
            {
                problems.Add($"output '{output.Name}' has role anomalyScore but {onnx} gives {sizes[i]} values per item {Shape(dims)}.");
            }
        }

        if (problems.Count > 0)
        {
            throw new ModelManifestException(manifest.ManifestPath, problems);
        }

        return (batchFixed, sizes);
    }

    private static string Shape(IEnumerable<int> dims) => "[" + string.Join(",", dims.Select(d => d > 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : "N")) + "]";

    private static string FirstLine(string text) => text.Split('\n')[0].Trim();

    public void Dispose()
    {
        foreach (var binding in _bindings)
        {
            binding?.Dispose();
        }

        foreach (var value in _inputValues)
        {
            value?.Dispose();
        }

        foreach (var values in _outputValues)
        {
            foreach (var value in values ?? [])
            {
                value.Dispose();
            }
        }

        _runOptions.Dispose();
        _session.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model}: the {Provider} execution provider could not be loaded ({Reason}); trying {Next} instead")]
    private static partial void LogProviderUnavailable(ILogger logger, string model, string provider, string reason, string next);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model}: running its FP16 variant '{File}' on {Provider}")]
    private static partial void LogFp16(ILogger logger, string model, string file, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model}: the CUDA execution provider could not be loaded ({Reason}); running on CPU instead")]
    private static partial void LogCudaUnavailable(ILogger logger, string model, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model}: its ONNX file pins the batch at 1; made it symbolic at load time, up to {Batch} items per run")]
    private static partial void LogBatchMadeSymbolic(ILogger logger, string model, int batch);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model}: exposed intermediate tensor(s) {Tensors} as outputs, as its manifest asks")]
    private static partial void LogIntermediateExposed(ILogger logger, string model, string tensors);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model}: the graph does not accept a symbolic batch ({Reason})")]
    private static partial void LogBatchNotSymbolic(ILogger logger, string model, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model}: its ONNX file fixes the batch dimension at 1; frames run one by one")]
    private static partial void LogBatchFixed(ILogger logger, string model);

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model} {Version} loaded on {Provider}, up to {Batch} items per run")]
    private static partial void LogLoaded(ILogger logger, string model, string version, string provider, int batch);
}
