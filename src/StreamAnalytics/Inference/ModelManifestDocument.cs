namespace StreamAnalytics.Inference;

/// <summary>The JSON shape of <c>model.json</c>; <see cref="ModelManifestLoader"/> validates it into a <see cref="ModelManifest"/>.</summary>
internal sealed class ModelManifestDocument
{
    public string? Name { get; set; }

    public string? Version { get; set; }

    public string? File { get; set; }

    /// <summary>Optional: an FP16 variant of <see cref="File"/> with float32 inputs and outputs, for GPU providers.</summary>
    public string? FileFp16 { get; set; }

    /// <summary>Optional: an INT8 (QDQ) variant of <see cref="File"/> with float32 inputs and outputs, for the CPU provider.</summary>
    public string? FileInt8 { get; set; }

    public InputDocument? Input { get; set; }

    public List<OutputDocument>? Outputs { get; set; }

    internal sealed class InputDocument
    {
        public string? Name { get; set; }

        public string? Layout { get; set; }

        public int? Frames { get; set; }

        public int? Width { get; set; }

        public int? Height { get; set; }

        public string? ColorOrder { get; set; }

        public float? Scale { get; set; }

        public float[]? Mean { get; set; }

        public float[]? Std { get; set; }

        /// <summary>Layout <c>features</c> only: the feature recipe id (see the action head's <c>ClipFeatureRecipe</c>).</summary>
        public string? Recipe { get; set; }

        /// <summary>Layout <c>features</c> only: the name of the backbone manifest whose embeddings the recipe reads.</summary>
        public string? Backbone { get; set; }

        /// <summary>Layout <c>features</c> only: values per feature vector (D).</summary>
        public int? Length { get; set; }
    }

    internal sealed class OutputDocument
    {
        public string? Name { get; set; }

        public string? Role { get; set; }

        public List<string>? Labels { get; set; }

        public string? LabelsFile { get; set; }
    }
}
