using StreamAnalytics.Inference;

namespace StreamAnalytics.Tests.Fakes;

/// <summary>Where the build puts the real ImageNet ResNet-18 and its manifest.</summary>
public static class ResNet18
{
    public static string ModelPath => Path.Combine(AppContext.BaseDirectory, "models/resnet18/ResNet18.onnx");

    public static string ManifestPath => Path.Combine(AppContext.BaseDirectory, "models/resnet18/model.json");

    public const int EmbeddingLength = 512;
}

/// <summary>One CPU session of the real ResNet-18, shared by the tests of the <see cref="ResNet18Collection"/>.</summary>
public sealed class ResNet18Fixture : IDisposable
{
    public ResNet18Fixture()
    {
        Logger = new CapturingLogger();
        Model = OnnxModel.Load(ModelManifestLoader.Load(ResNet18.ManifestPath), "cpu", 0, 0, 8, Logger);
    }

    public OnnxModel Model { get; }

    public CapturingLogger Logger { get; }

    public void Dispose() => Model.Dispose();
}

/// <summary>Tests that use the shared model run one after another (an ONNX session's buffers are not shared safely).</summary>
[CollectionDefinition(Name)]
public sealed class ResNet18Collection : ICollectionFixture<ResNet18Fixture>
{
    public const string Name = "ResNet18";
}
