namespace StreamAnalytics.Tests.Integration;

/// <summary>Integration tests run one at a time: each decodes video and runs ResNet-18 on a 2-core machine.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class IntegrationCollection
{
    public const string Name = "Integration";
}
