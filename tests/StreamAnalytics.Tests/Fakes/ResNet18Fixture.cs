using StreamAnalytics.Inference;

namespace StreamAnalytics.Tests.Fakes;

/// <summary>One CPU session of the real ResNet-18, shared by the tests of the <see cref="ResNet18Collection"/>.</summary>
public sealed class ResNet18Fixture : IDisposable
{
    public ResNet18Fixture()
    {
        Logger = new CapturingLogger();
        Model = OnnxModel.Load(ModelManifestLoader.Load(ResNet18.ManifestPath), "cpu", 0, 0, 8, Logger);
    }

    internal OnnxModel Model { get; }

    public CapturingLogger Logger { get; }

    public void Dispose() => Model.Dispose();
}
