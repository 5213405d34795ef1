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

    /// <summary>
    /// An INT8 variant of <see cref="ModelPath"/> (manifest <c>fileInt8</c>: static QDQ, float32 inputs and
    /// outputs, the same tensor names), run instead of it on the CPU provider unless the precision is pinned
    /// to FP32. Null: none.
    /// </summary>
    public string? Int8ModelPath { get; init; }

    /// <summary>This manifest for <c>Model.Precision</c>: <c>fp32</c> drops the variants, so the FP32 file runs everywhere.</summary>
    public ModelManifest WithPrecision(string precision) =>
        precision == "fp32" ? this with { Fp16ModelPath = null, Int8ModelPath = null } : this;
}
