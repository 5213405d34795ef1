namespace StreamAnalytics.Inference;

/// <summary>A manifest, or its ONNX file, cannot be used; <see cref="Problems"/> lists every reason.</summary>
internal sealed class ModelManifestException(string manifestPath, IReadOnlyList<string> problems)
    : Exception($"Model manifest '{manifestPath}' cannot be used:{Environment.NewLine}  - {string.Join(Environment.NewLine + "  - ", problems)}")
{
    public string ManifestPath { get; } = manifestPath;

    public IReadOnlyList<string> Problems { get; } = problems;
}
