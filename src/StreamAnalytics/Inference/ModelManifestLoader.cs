using System.Text.Json;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Inference;

/// <summary>Reads <c>model.json</c> and reports every problem in it at once.</summary>
internal static class ModelManifestLoader
{
    public static ModelManifest Load(string manifestPath)
    {
        var fullPath = Path.GetFullPath(manifestPath);
        if (!File.Exists(fullPath))
        {
            throw new ModelManifestException(manifestPath, ["the file does not exist."]);
        }

        ModelManifestDocument? document;
        try
        {
            document = JsonSerializer.Deserialize(File.ReadAllText(fullPath), ModelManifestJsonContext.Default.ModelManifestDocument);
        }
        catch (JsonException ex)
        {
            throw new ModelManifestException(manifestPath, [$"it is not valid manifest JSON: {ex.Message}"]);
        }

        if (document is null)
        {
            throw new ModelManifestException(manifestPath, ["it is empty."]);
        }

        var problems = new List<string>();
        var directory = Path.GetDirectoryName(fullPath)!;
        Require(document.Name, "name", problems);
        Require(document.Version, "version", problems);
        var modelPath = string.Empty;
        if (Require(document.File, "file", problems))
        {
            modelPath = Path.GetFullPath(Path.Combine(directory, document.File!));
            if (!File.Exists(modelPath))
            {
                problems.Add($"file: ONNX file '{modelPath}' does not exist.");
            }
        }

        var fp16Path = Variant(document.FileFp16, "fileFp16", directory, problems);
        var int8Path = Variant(document.FileInt8, "fileInt8", directory, problems);

        var input = ParseInput(document.Input, problems);
        var outputs = ParseOutputs(document.Outputs, directory, problems);
        if (problems.Count > 0 || input is null)
        {
            throw new ModelManifestException(manifestPath, problems);
        }

        return new ModelManifest(document.Name!, document.Version!, fullPath, modelPath, input, outputs) { Fp16ModelPath = fp16Path, Int8ModelPath = int8Path };
    }

    private static string? Variant(string? file, string key, string directory, List<string> problems)
    {
        if (file is not { Length: > 0 })
        {
            return null;
        }

        var path = Path.GetFullPath(Path.Combine(directory, file));
        if (!File.Exists(path))
        {
            problems.Add($"{key}: ONNX file '{path}' does not exist.");
        }

        return path;
    }

    private static ModelInputSpec? ParseInput(ModelManifestDocument.InputDocument? input, List<string> problems)
    {
        if (input is null)
        {
            problems.Add("input: required.");
            return null;
        }

        var before = problems.Count;
        Require(input.Name, "input.name", problems);
        if (string.Equals(input.Layout, "features", StringComparison.OrdinalIgnoreCase))
        {
            return ParseFeaturesInput(input, problems, before);
        }

        if (input.Recipe is not null || input.Backbone is not null || input.Length is not null)
        {
            problems.Add("input.recipe, input.backbone and input.length belong to layout 'features' only.");
        }

        var layout = TensorLayout.Nchw;
        switch (input.Layout?.ToUpperInvariant())
        {
            case "NCHW":
                layout = TensorLayout.Nchw;
                if (input.Frames is not (null or 1))
                {
                    problems.Add($"input.frames must be 1 (or absent) for layout NCHW (got {input.Frames}).");
                }

                break;
            case "NCTHW":
                layout = TensorLayout.Ncthw;
                if (input.Frames is not > 0)
                {
                    problems.Add("input.frames (T) is required and positive for layout NCTHW.");
                }

                break;
            default:
                problems.Add($"input.layout must be 'NCHW' (per-frame encoder), 'NCTHW' (clip model) or 'features' (head over a backbone) (got '{input.Layout}').");
                break;
        }

        if (input.Width is not > 0 || input.Height is not > 0)
        {
            problems.Add($"input.width and input.height must be positive (got {input.Width} and {input.Height}).");
        }

        var colorOrder = ColorOrder.Rgb;
        switch (input.ColorOrder?.ToUpperInvariant())
        {
            case "RGB":
                colorOrder = ColorOrder.Rgb;
                break;
            case "BGR":
                colorOrder = ColorOrder.Bgr;
                break;
            default:
                problems.Add($"input.colorOrder must be 'RGB' or 'BGR' (got '{input.ColorOrder}').");
                break;
        }

        var mean = input.Mean ?? [0, 0, 0];
        var std = input.Std ?? [1, 1, 1];
        if (mean.Length != 3 || std.Length != 3)
        {
            problems.Add($"input.mean and input.std need 3 values, one per channel (got {mean.Length} and {std.Length}).");
        }
        else if (std.Any(s => s == 0 || !float.IsFinite(s)) || mean.Any(m => !float.IsFinite(m)))
        {
            problems.Add("input.std may not contain 0 and all values must be finite.");
        }

        var scale = input.Scale ?? 1f;
        if (!float.IsFinite(scale) || scale == 0)
        {
            problems.Add($"input.scale must be a finite, non-zero number (got {scale}).");
        }

        if (problems.Count > before)
        {
            return null;
        }

        var format = new FrameTensorFormat(input.Width!.Value, input.Height!.Value, colorOrder, scale, mean, std);
        return new ModelInputSpec(input.Name!, layout, input.Frames ?? 1, format);
    }

    /// <summary>
    /// A head over per-clip features: it names the recipe and backbone that make its input, so a head is
    /// never fed features of another backbone or recipe version. Pixel settings do not apply to it.
    /// </summary>
    private static ModelInputSpec? ParseFeaturesInput(ModelManifestDocument.InputDocument input, List<string> problems, int before)
    {
        if (Require(input.Recipe, "input.recipe", problems) && !FeatureInputSpec.IsKnownRecipe(input.Recipe!))
        {
            problems.Add($"input.recipe '{input.Recipe}' is not a feature recipe of this build (known: {string.Join(", ", FeatureInputSpec.KnownRecipes)}).");
        }

        Require(input.Backbone, "input.backbone", problems);
        if (input.Frames is not >= FeatureInputSpec.MinimumFrames)
        {
            problems.Add($"input.frames (T, the frame embeddings per feature vector) is required and at least {FeatureInputSpec.MinimumFrames} for layout features (got {input.Frames?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}).");
        }

        if (input.Length is not > 0)
        {
            problems.Add($"input.length (D, values per feature vector) is required and positive for layout features (got {input.Length?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}).");
        }

        if (input.Width is not null || input.Height is not null || input.ColorOrder is not null || input.Scale is not null || input.Mean is not null || input.Std is not null)
        {
            problems.Add("input.width, height, colorOrder, scale, mean and std do not apply to layout features: the backbone's manifest describes the pixels.");
        }

        if (problems.Count > before)
        {
            return null;
        }

        return new ModelInputSpec(input.Name!, TensorLayout.Features, input.Frames!.Value, FrameFormat: null, new FeatureInputSpec(input.Recipe!, input.Backbone!, input.Length!.Value));
    }

    private static List<ModelOutputSpec> ParseOutputs(List<ModelManifestDocument.OutputDocument>? outputs, string directory, List<string> problems)
    {
        var result = new List<ModelOutputSpec>();
        if (outputs is null || outputs.Count == 0)
        {
            problems.Add("outputs: at least one output is required.");
            return result;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < outputs.Count; i++)
        {
            var output = outputs[i];
            var where = $"outputs[{i}]";
            if (!Require(output.Name, where + ".name", problems))
            {
                continue;
            }

            if (!names.Add(output.Name!))
            {
                problems.Add($"{where}: output '{output.Name}' is listed twice.");
            }

            OutputRole? role = output.Role?.ToLowerInvariant() switch
            {
                "embedding" => OutputRole.Embedding,
                "classlogits" or "class_logits" or "logits" => OutputRole.ClassLogits,
                "anomalyscore" or "anomaly_score" => OutputRole.AnomalyScore,
                "featuremap" or "feature_map" => OutputRole.FeatureMap,
                _ => null,
            };
            if (role is null)
            {
                problems.Add($"{where}.role must be 'embedding', 'classLogits', 'anomalyScore' or 'featureMap' (got '{output.Role}').");
                continue;
            }

            var labels = output.Labels ?? [];
            if (output.LabelsFile is { } labelsFile)
            {
                var labelsPath = Path.Combine(directory, labelsFile);
                if (File.Exists(labelsPath))
                {
                    labels = [.. File.ReadAllLines(labelsPath).Select(l => l.Trim()).Where(l => l.Length > 0)];
                }
                else
                {
                    problems.Add($"{where}.labelsFile '{labelsPath}' does not exist.");
                }
            }

            if (role == OutputRole.ClassLogits && labels.Count == 0)
            {
                problems.Add($"{where}: role classLogits needs labels (or labelsFile).");
            }

            result.Add(new ModelOutputSpec(output.Name!, role.Value, labels));
        }

        return result;
    }

    private static bool Require(string? value, string field, List<string> problems)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            return true;
        }

        problems.Add($"{field}: required.");
        return false;
    }
}
