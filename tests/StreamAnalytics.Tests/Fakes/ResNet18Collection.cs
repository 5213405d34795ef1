namespace StreamAnalytics.Tests.Fakes;

/// <summary>Tests that use the shared model run one after another (an ONNX session's buffers are not shared safely).</summary>
[CollectionDefinition(Name)]
public sealed class ResNet18Collection : ICollectionFixture<ResNet18Fixture>
{
    public const string Name = "ResNet18";
}
