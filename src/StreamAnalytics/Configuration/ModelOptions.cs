namespace StreamAnalytics.Configuration;

internal sealed class ModelOptions
{
    /// <summary>The model manifest (<c>model.json</c>); relative paths are tried against the working folder, then the install folder.</summary>
    public string Manifest { get; set; } = "models/resnet18/model.json";

    /// <summary>
    /// An action head manifest (input layout <c>features</c>, e.g. <c>models/fight/model.json</c>) run on every
    /// window over <see cref="Manifest"/>'s frame outputs. Unset or empty (so a command-line override can turn
    /// it off): no head, and the pipeline is as before. The head names the backbone it was trained on, so
    /// <see cref="Manifest"/> must be that backbone (for the shipped fight head,
    /// <c>models/resnet18/model-featuremap.json</c>), and every camera's window must hold the head's frames.
    /// </summary>
    public string? ActionHead { get; set; }

    /// <summary>
    /// <c>cpu</c>, <c>cuda</c> or <c>tensorrt</c> (TensorRT, with CUDA for the nodes it does not take). When a GPU
    /// provider cannot load, a warning says why and the next one is tried: TensorRT, then CUDA, then CPU.
    /// </summary>
    public string ExecutionProvider { get; set; } = "cpu";

    /// <summary>
    /// <c>auto</c>: the manifest's variants where it has them, INT8 (<c>fileInt8</c>) on the CPU and FP16
    /// (<c>fileFp16</c>) on a GPU provider; <c>fp32</c>: its <c>file</c> everywhere, e.g. to compare the two.
    /// </summary>
    public string Precision { get; set; } = "auto";

    /// <summary>TensorRT only: where built engines are kept, so a restart does not rebuild them (minutes for a large model).</summary>
    public string TensorRtCacheDirectory { get; set; } = "trt-engines";

    public int DeviceId { get; set; }

    /// <summary>CPU threads for one model run; 0 lets ONNX Runtime choose.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>Most frames (per-frame encoders) or windows (clip models) in one run.</summary>
    public int MaxBatch { get; set; } = 8;

    /// <summary>How long the first queued item may wait for others (from any camera) to fill a batch.</summary>
    public double MaxBatchWaitMilliseconds { get; set; } = 20;

    /// <summary>Windows waiting for inference across all cameras; when full the oldest is dropped and counted.</summary>
    public int QueueCapacity { get; set; } = 16;

    /// <summary>A KServe v2 / Triton endpoint to run the model on; its <c>Endpoint</c> unset: the model runs here.</summary>
    public RemoteModelOptions Remote { get; set; } = new();
}
