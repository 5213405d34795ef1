namespace StreamAnalytics.Tests.Fakes;

/// <summary>Where the build puts the real ImageNet ResNet-18 and its manifest.</summary>
public static class ResNet18
{
    public static string ModelPath => Path.Combine(AppContext.BaseDirectory, "models/resnet18/ResNet18.onnx");

    public static string ManifestPath => Path.Combine(AppContext.BaseDirectory, "models/resnet18/model.json");

    public const int EmbeddingLength = 512;
}
