using System.Diagnostics;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime;
using StreamAnalytics.Inference.OnnxSchema;

namespace StreamAnalytics.Inference;

/// <summary>
/// One ONNX Runtime session checked against its manifest, with input and output buffers allocated once
/// for the largest batch and reused by every run. Sessions come from <see cref="OnnxSessionFactory"/>, the
/// load-time edits of the graph from <see cref="OnnxGraphEdits"/>, the manifest check from
/// <see cref="OnnxManifestCheck"/>; this type loads through them, then binds and runs.
/// </summary>
internal sealed partial class OnnxModel : IInferenceModel, IDisposable
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
    /// <remarks>
    /// The manifest's variants pick the file: FP16 for a GPU provider, INT8 for the CPU (also when a GPU
    /// provider was asked for and could not load). A manifest without them (or with them removed, for
    /// <c>Model.Precision: fp32</c>) runs its FP32 file everywhere.
    /// </remarks>
    public static OnnxModel Load(ModelManifest manifest, string executionProvider, int deviceId, int intraOpThreads, int maxBatch, ILogger logger, string? tensorRtCacheDirectory = null)
    {
        var providers = new ProviderChoice(executionProvider, deviceId, intraOpThreads, tensorRtCacheDirectory ?? "trt-engines");
        var cpu = providers with { ExecutionProvider = "cpu" };
        if (executionProvider == "cpu")
        {
            return LoadForCpu(manifest, cpu, maxBatch, logger);
        }

        if (manifest.Fp16ModelPath is { } fp16)
        {
            // The FP16 variant is for the GPU. If no GPU provider loads, the CPU's file is what should run.
            var half = LoadFile(manifest with { ModelPath = fp16 }, providers, maxBatch, logger, "fp16");
            if (half.ExecutionProvider != "cpu")
            {
                LogVariant(logger, manifest.Name, "FP16", fp16, half.ExecutionProvider);
                return half;
            }

            half.Dispose();
            return LoadForCpu(manifest, cpu, maxBatch, logger);
        }

        var full = LoadFile(manifest, providers, maxBatch, logger, "fp32");
        if (full.ExecutionProvider == "cpu" && manifest.Int8ModelPath is not null)
        {
            full.Dispose();
            return LoadForCpu(manifest, cpu, maxBatch, logger);
        }

        return full;
    }

    /// <summary><c>fp32</c>, <c>fp16</c> or <c>int8</c>: the variant of the manifest's model this session runs.</summary>
    public string Precision { get; private init; } = "fp32";

    private static OnnxModel LoadForCpu(ModelManifest manifest, ProviderChoice cpu, int maxBatch, ILogger logger)
    {
        if (manifest.Int8ModelPath is not { } int8)
        {
            return LoadFile(manifest, cpu, maxBatch, logger, "fp32");
        }

        var model = LoadFile(manifest with { ModelPath = int8 }, cpu, maxBatch, logger, "int8");
        LogVariant(logger, manifest.Name, "INT8", int8, model.ExecutionProvider);
        return model;
    }

    private static OnnxModel LoadFile(ModelManifest manifest, ProviderChoice providers, int maxBatch, ILogger logger, string precision)
    {
        // Parsed once, for both edits below; null leaves the file to ONNX Runtime, which reports what is wrong.
        var onnx = OnnxGraphEdits.TryRead(manifest.ModelPath);
        var exposed = onnx is null ? null : ExposeIntermediateOutputs(manifest, onnx, logger);
        var (session, provider) = OnnxSessionFactory.Create(manifest, providers, logger, exposed);
        try
        {
            var (batchFixed, outputSizes) = OnnxManifestCheck.Check(manifest, session);
            if (batchFixed && maxBatch > 1 && onnx is not null && TryBatchable(manifest, onnx, providers, logger) is { } batchable)
            {
                session.Dispose();
                (session, provider) = batchable;
                (batchFixed, outputSizes) = OnnxManifestCheck.Check(manifest, session);
                LogBatchMadeSymbolic(logger, manifest.Name, maxBatch);
            }

            var batch = batchFixed ? 1 : maxBatch;
            if (batchFixed && maxBatch > 1)
            {
                LogBatchFixed(logger, manifest.Name);
            }

            var model = new OnnxModel(manifest, session, provider, batch, outputSizes) { Precision = precision };
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

    /// <summary>Synchronous: ONNX Runtime's run blocks the calling thread, so the completed task costs nothing.</summary>
    public ValueTask<TimeSpan> RunAsync(int count, CancellationToken cancellationToken) => new(Run(count));

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
    private static (InferenceSession Session, string Provider)? TryBatchable(ModelManifest manifest, ModelProto onnx, ProviderChoice providers, ILogger logger)
    {
        if (!OnnxGraphEdits.MakeBatchSymbolic(onnx))
        {
            return null;
        }

        try
        {
            // The first load already warned about any provider that cannot start.
            var candidate = OnnxSessionFactory.Create(manifest, providers, NullLogger.Instance, onnx.ToByteArray());
            if (candidate.Session.InputMetadata[manifest.Input.Name].Dimensions[0] > 0)
            {
                candidate.Session.Dispose();
                return null;
            }

            return candidate;
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or ModelManifestException)
        {
            LogBatchNotSymbolic(logger, manifest.Name, OnnxSessionFactory.FirstLine(ex.Message));
            return null;
        }
    }

    /// <summary>
    /// The model's bytes with the manifest's outputs that are intermediate tensors (such as a backbone's last
    /// feature map) exposed as graph outputs; null when every manifest output already is one, and the file
    /// is then loaded as it is.
    /// </summary>
    private static byte[]? ExposeIntermediateOutputs(ModelManifest manifest, ModelProto onnx, ILogger logger)
    {
        var exposed = OnnxGraphEdits.ExposeOutputs(onnx, manifest.Outputs.Select(o => o.Name));
        if (exposed.Count == 0)
        {
            return null;
        }

        LogIntermediateExposed(logger, manifest.Name, string.Join(", ", exposed));
        return onnx.ToByteArray();
    }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Model {Model}: running its {Precision} variant '{File}' on {Provider}")]
    private static partial void LogVariant(ILogger logger, string model, string precision, string file, string provider);

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
