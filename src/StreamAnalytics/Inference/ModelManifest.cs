namespace StreamAnalytics.Inference;

/// <summary>An ONNX file and what the pipeline needs to know to feed it and read it.</summary>
public sealed record ModelManifest(
    string Name,
    string Version,
    string ManifestPath,
    string ModelPath,
    ModelInputSpec Input,
    IReadOnlyList<ModelOutputSpec> Outputs);
