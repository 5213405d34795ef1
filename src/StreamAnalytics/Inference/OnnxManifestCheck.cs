using Microsoft.ML.OnnxRuntime;

namespace StreamAnalytics.Inference;

/// <summary>
/// Holds a loaded ONNX graph to what its manifest promises, so a wrong manifest fails at load, naming both
/// files, instead of feeding the wrong tensors at run time.
/// </summary>
internal static class OnnxManifestCheck
{
    /// <summary>Compares the manifest's promises with the ONNX graph; every mismatch names both files.</summary>
    public static (bool BatchFixed, int[] OutputSizes) Check(ModelManifest manifest, InferenceSession session)
    {
        var problems = new List<string>();
        var onnx = $"ONNX file '{manifest.ModelPath}'";
        var batchFixed = false;
        var input = manifest.Input;
        if (!session.InputMetadata.TryGetValue(input.Name, out var inputMeta))
        {
            problems.Add($"the manifest's input '{input.Name}' is not in {onnx}, whose inputs are: {string.Join(", ", session.InputMetadata.Keys)}.");
        }
        else
        {
            int[] expected = [-1, .. input.ItemShape];
            var actual = inputMeta.Dimensions;
            var mismatch = actual.Length != expected.Length
                || Enumerable.Range(1, expected.Length - 1).Any(d => actual[d] > 0 && actual[d] != expected[d]);
            if (mismatch)
            {
                problems.Add($"the manifest declares input '{input.Name}' as {input.Layout.ToString().ToUpperInvariant()} {Shape(expected)} but {onnx} has {Shape(actual)}.");
            }
            else if (actual[0] > 1)
            {
                problems.Add($"{onnx} fixes the batch dimension of '{input.Name}' at {actual[0]}; it must be 1 or symbolic.");
            }

            batchFixed = actual.Length > 0 && actual[0] == 1;
            if (inputMeta.ElementDataType != Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float)
            {
                problems.Add($"{onnx} takes {inputMeta.ElementDataType} for '{input.Name}'; the pipeline feeds float32.");
            }
        }

        var sizes = new int[manifest.Outputs.Count];
        for (var i = 0; i < manifest.Outputs.Count; i++)
        {
            var output = manifest.Outputs[i];
            if (!session.OutputMetadata.TryGetValue(output.Name, out var meta))
            {
                problems.Add($"the manifest's output '{output.Name}' is not in {onnx}, whose outputs are: {string.Join(", ", session.OutputMetadata.Keys)}.");
                continue;
            }

            var dims = meta.Dimensions;
            if (dims.Skip(1).Any(d => d <= 0))
            {
                problems.Add($"output '{output.Name}' of {onnx} has shape {Shape(dims)}: only the batch dimension may be symbolic.");
                continue;
            }

            sizes[i] = dims.Skip(1).Aggregate(1, (a, b) => a * b);
            if (output.Role == OutputRole.ClassLogits && sizes[i] != output.Labels.Count)
            {
                problems.Add($"the manifest lists {output.Labels.Count} labels for output '{output.Name}' but {onnx} gives {sizes[i]} values {Shape(dims)}.");
            }

            if (output.Role == OutputRole.AnomalyScore && sizes[i] != 1)
            {
                problems.Add($"output '{output.Name}' has role anomalyScore but {onnx} gives {sizes[i]} values per item {Shape(dims)}.");
            }
        }

        if (problems.Count > 0)
        {
            throw new ModelManifestException(manifest.ManifestPath, problems);
        }

        return (batchFixed, sizes);
    }

    private static string Shape(IEnumerable<int> dims) => "[" + string.Join(",", dims.Select(d => d > 0 ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : "N")) + "]";
}
