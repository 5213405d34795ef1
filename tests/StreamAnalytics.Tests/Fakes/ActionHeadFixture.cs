using StreamAnalytics.Heads.Action;
using StreamAnalytics.Inference;

namespace StreamAnalytics.Tests.Fakes;

/// <summary>
/// The shipped fight head on the ResNet-18 with its feature map exposed, loaded once (about 2 s) for the
/// tests of the <see cref="ActionHeadCollection"/>.
/// </summary>
public sealed class ActionHeadFixture : IDisposable
{
    public ActionHeadFixture()
    {
        Logger = new CapturingLogger();
        Backbone = OnnxModel.Load(ModelManifestLoader.Load(BackboneManifestPath), "cpu", 0, 0, 16, Logger);
        Head = ActionHead.Load(ModelManifestLoader.Load(HeadManifestPath), Backbone, "cpu", 0, 0, 1, Logger);
    }

    /// <summary>The build output's copy of models/resnet18/model-featuremap.json (the ONNX file is there too).</summary>
    public static string BackboneManifestPath => Path.Combine(AppContext.BaseDirectory, "models/resnet18/model-featuremap.json");

    /// <summary>The build output's copy of models/fight/model.json and head.onnx.</summary>
    public static string HeadManifestPath => Path.Combine(AppContext.BaseDirectory, "models/fight/model.json");

    internal OnnxModel Backbone { get; }

    internal ActionHead Head { get; }

    public CapturingLogger Logger { get; }

    public void Dispose()
    {
        Head.Dispose();
        Backbone.Dispose();
    }
}
