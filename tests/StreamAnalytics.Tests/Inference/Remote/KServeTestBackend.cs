using Microsoft.ML.OnnxRuntime;
using StreamAnalytics.Inference;
using StreamAnalytics.Tests.Fakes;

namespace StreamAnalytics.Tests.Inference.Remote;

/// <summary>
/// What the test KServe server serves, kept across its restarts: the shipped ResNet-18 in its own ONNX Runtime
/// session (items one by one, at the file's own batch of 1, so it shares nothing with the product's batched
/// session), the metadata it reports, and failures on demand.
/// </summary>
internal sealed class KServeTestBackend : IDisposable
{
    public const string ModelName = "resnet18";

    private readonly InferenceSession _session;
    private readonly Lock _gate = new();
    private int _inferCalls;

    public KServeTestBackend()
    {
        Manifest = ModelManifestLoader.Load(ResNet18.ManifestPath);
        _session = new InferenceSession(ResNet18.ModelPath);
        Reset();
    }

    public ModelManifest Manifest { get; }

    public int ItemElements => Manifest.Input.ItemElementCount;

    /// <summary>ModelInfer answers Unavailable while set.</summary>
    public volatile bool FailInfer;

    /// <summary>The input name ModelMetadata reports (the model still runs on its real one).</summary>
    public string ReportedInputName { get; set; } = "";

    /// <summary>The batch dimension ModelMetadata reports: -1 for any (Triton's max_batch_size &gt; 0).</summary>
    public long ReportedBatch { get; set; }

    /// <summary>ModelInfer calls received, failed ones included.</summary>
    public int InferCalls => Volatile.Read(ref _inferCalls);

    public void CountInferCall() => Interlocked.Increment(ref _inferCalls);

    public void Reset()
    {
        FailInfer = false;
        ReportedInputName = Manifest.Input.Name;
        ReportedBatch = -1;
        Volatile.Write(ref _inferCalls, 0);
    }

    /// <summary>The model's first output for <paramref name="count"/> items, item after item.</summary>
    public float[] Run(ReadOnlySpan<float> input, int count)
    {
        var outputName = Manifest.Outputs[0].Name;
        var output = new float[count * ResNet18.EmbeddingLength];
        lock (_gate)
        {
            for (var i = 0; i < count; i++)
            {
                var item = input.Slice(i * ItemElements, ItemElements).ToArray();
                using var value = OrtValue.CreateTensorValueFromMemory(item, [1, .. Manifest.Input.ItemShape.Select(d => (long)d)]);
                using var runOptions = new RunOptions();
                using var results = _session.Run(runOptions, [Manifest.Input.Name], [value], [outputName]);
                results[0].GetTensorDataAsSpan<float>().CopyTo(output.AsSpan(i * ResNet18.EmbeddingLength));
            }
        }

        return output;
    }

    public void Dispose() => _session.Dispose();
}
