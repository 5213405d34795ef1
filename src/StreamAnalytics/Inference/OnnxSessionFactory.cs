using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace StreamAnalytics.Inference;

/// <summary>
/// Builds ONNX Runtime sessions on the execution provider a model asks for, falling back from TensorRT to
/// CUDA to the CPU with one warning for each provider that cannot load.
/// </summary>
internal static partial class OnnxSessionFactory
{
    /// <summary>
    /// ONNX Runtime starts a session's intra-op threads when the session is built, and native threads take the
    /// name of the thread that started them: built on a pool thread they read ".NET TP Worker" in top -H and
    /// /proc, and their CPU looks like the .NET thread pool's. Built here, they read "sa-onnx".
    /// </summary>
    /// <param name="modelBytes">An edited copy of the model; null: the manifest's file as it is.</param>
    public static (InferenceSession Session, string Provider) Create(ModelManifest manifest, ProviderChoice providers, ILogger logger, byte[]? modelBytes)
    {
        (InferenceSession Session, string Provider) created = default;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                created = CreateHere(manifest, providers, logger, modelBytes);
            }
            catch (Exception ex)
            {
                failure = ExceptionDispatchInfo.Capture(ex);
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

    /// <summary>ONNX Runtime's messages run to many lines (stack traces included); logs and problems take the first.</summary>
    public static string FirstLine(string text) => text.Split('\n')[0].Trim();

    private static (InferenceSession Session, string Provider) CreateHere(ModelManifest manifest, ProviderChoice providers, ILogger logger, byte[]? modelBytes)
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

        return (OpenOnCpu(manifest, NewOptions(providers.IntraOpThreads), modelBytes), "cpu");
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

    private static InferenceSession OpenOnCpu(ModelManifest manifest, SessionOptions options, byte[]? modelBytes)
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model}: the {Provider} execution provider could not be loaded ({Reason}); trying {Next} instead")]
    private static partial void LogProviderUnavailable(ILogger logger, string model, string provider, string reason, string next);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Model {Model}: the CUDA execution provider could not be loaded ({Reason}); running on CPU instead")]
    private static partial void LogCudaUnavailable(ILogger logger, string model, string reason);
}
