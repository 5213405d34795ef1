using StreamAnalytics.Inference;
using StreamAnalytics.Ingest;
using StreamAnalytics.Tests.Fakes;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Inference.Remote;

/// <summary>
/// For the remote-inference tests: the product's local ResNet-18 (batches of up to 8), the test KServe server
/// running the same ONNX file, and the model inputs of eight real frames with the local embeddings of each.
/// </summary>
public sealed class RemoteInferenceFixture : IAsyncLifetime
{
    public const int Items = 8;

    public RemoteInferenceFixture()
    {
        // The test server runs the FP32 file (ResNet18.onnx), so the local model compared with it is pinned to FP32 too.
        Local = OnnxModel.Load(ModelManifestLoader.Load(ResNet18.ManifestPath).WithPrecision("fp32"), "cpu", 0, 0, Items, new CapturingLogger());
        Backend = new KServeTestBackend();
        Server = new KServeTestServer(Backend);

        using var window = RealWindow("fixture", Local.Manifest);
        Inputs = [.. window.Window.Frames.Select(f => f.Tensor.ToArray())];
        for (var i = 0; i < Items; i++)
        {
            Inputs[i].CopyTo(Local.InputItem(i));
        }

        Local.Run(Items);
        LocalOutputs = [.. Enumerable.Range(0, Items).Select(i => Local.OutputItem(0, i).ToArray())];
    }

    internal OnnxModel Local { get; }

    internal KServeTestBackend Backend { get; }

    internal KServeTestServer Server { get; }

    /// <summary>The model input of each of the first eight frames of UCSD Ped2 test01, as windowing prepares it.</summary>
    public IReadOnlyList<float[]> Inputs { get; }

    /// <summary>The local model's embedding of each of <see cref="Inputs"/>.</summary>
    public IReadOnlyList<float[]> LocalOutputs { get; }

    public Task InitializeAsync() => Server.StartAsync(CancellationToken.None);

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        Backend.Dispose();
        Local.Dispose();
    }

    /// <summary>One window of the first eight real frames, through the product's windowing; its frames hold the model inputs.</summary>
    internal static RealFramesWindow RealWindow(string cameraId, ModelManifest manifest, WindowSchedule? schedule = null)
    {
        var windowing = new CameraWindowing(cameraId, schedule ?? new WindowSchedule(Items, 0, Items), manifest.Input.Format, metrics: null);
        var pool = new FramePool(cameraId, RealFrames.Width, RealFrames.Height);
        var windows = new List<Window>();
        for (var i = 0; i < Items; i++)
        {
            if (windowing.Process(RealFrames.Rent(pool, i + 1, RealFrames.Ped2[i])) is { } window)
            {
                windows.Add(window);
            }
        }

        return new RealFramesWindow(windowing, pool, windows);
    }
}
