namespace StreamAnalytics.Tests.Fakes;

/// <summary>
/// Tests that run the action head or its commands, one after another: they share one ONNX session (whose
/// buffers are not shared safely), and each command encodes real clips with ResNet-18 on the CPU.
/// </summary>
[CollectionDefinition(Name)]
public sealed class ActionHeadCollection : ICollectionFixture<ActionHeadFixture>
{
    public const string Name = "ActionHead";
}
