namespace StreamAnalytics.Inference;

/// <summary>An ONNX file and what the pipeline needs to know to feed it and read it.</summary>
internal sealed record ModelManifest(
    string Name,
    string Version,
    string ManifestPath,
    string ModelPath,
    ModelInputSpec Input,
    IReadOnlyList<ModelOutputSpec> Outputs)
{
    /// <summary>
    /// An FP16 variant of <see cref="ModelPath"/> (manifest <c>fileFp16</c>), run instead of it on a GPU provider;
    /// it must keep float32 inputs and outputs (e.g. onnxconverter-common's <c>keep_io_types=True</c>). Null: none.
    /// </summary>
    public string? Fp16ModelPath { get; init; }
}
