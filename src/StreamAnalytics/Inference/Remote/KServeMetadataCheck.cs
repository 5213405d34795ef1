using System.Globalization;
using StreamAnalytics.Inference.KServe;

namespace StreamAnalytics.Inference.Remote;

/// <summary>
/// Whether what a KServe v2 endpoint serves is what the manifest describes: the input's name, type and shape
/// (a batch dimension that takes <c>Model.MaxBatch</c> items), and every manifest output by name, type and size.
/// Each mismatch names both sides.
/// </summary>
internal static class KServeMetadataCheck
{
    public const string Fp32 = "FP32";

    /// <param name="model">The local model: its manifest, its batch and the sizes of its outputs per item.</param>
    /// <param name="where">Names the endpoint and the model (<see cref="KServeClient.Where"/>).</param>
    public static List<string> Problems(ModelMetadataResponse metadata, IInferenceModel model, string where)
    {
        var manifest = model.Manifest;
        var against = $"manifest '{manifest.ManifestPath}'";
        var problems = new List<string>();
        var input = metadata.Inputs.FirstOrDefault(i => i.Name == manifest.Input.Name);
        if (input is null)
        {
            problems.Add($"{where} has no input '{manifest.Input.Name}' as {against} declares; its inputs: {List(metadata.Inputs)}.");
        }
        else
        {
            if (input.Datatype != Fp32)
            {
                problems.Add($"{where}: input '{input.Name}' is {input.Datatype} but this pipeline sends {Fp32}.");
            }

            long[] expected = [-1, .. manifest.Input.ItemShape.Select(d => (long)d)];
            var shape = input.Shape;
            var itemMatches = shape.Count == expected.Length && shape.Skip(1).Zip(expected.Skip(1)).All(p => p.First == -1 || p.First == p.Second);
            if (!itemMatches)
            {
                problems.Add($"{where}: input '{input.Name}' is {Shape(shape)} but {against} declares [N,{string.Join(',', manifest.Input.ItemShape)}].");
            }
            else if (shape[0] != -1 && shape[0] < model.MaxBatch)
            {
                problems.Add($"{where}: input '{input.Name}' is {Shape(shape)}, batches of at most {shape[0]}, but up to {model.MaxBatch} items are sent (Model.MaxBatch): set max_batch_size in the model's config.pbtxt to at least {model.MaxBatch}, or lower Model.MaxBatch.");
            }
        }

        for (var o = 0; o < manifest.Outputs.Count; o++)
        {
            var name = manifest.Outputs[o].Name;
            var output = metadata.Outputs.FirstOrDefault(t => t.Name == name);
            if (output is null)
            {
                problems.Add($"{where} has no output '{name}' as {against} declares; its outputs: {List(metadata.Outputs)}.");
                continue;
            }

            if (output.Datatype != Fp32)
            {
                problems.Add($"{where}: output '{name}' is {output.Datatype} but this pipeline reads {Fp32}.");
            }

            // Dimensions the server leaves open (-1) are checked on each answer instead, by its byte count.
            if (output.Shape.Count > 1 && output.Shape.Skip(1).All(d => d > 0))
            {
                var perItem = output.Shape.Skip(1).Aggregate(1L, (a, d) => a * d);
                if (perItem != model.OutputItemSizes[o])
                {
                    problems.Add($"{where}: output '{name}' is {Shape(output.Shape)}, {perItem} values per item, but the local model gives {model.OutputItemSizes[o]}.");
                }
            }
        }

        return problems;
    }

    private static string List(IEnumerable<ModelMetadataResponse.Types.TensorMetadata> tensors)
    {
        var listed = string.Join(", ", tensors.Select(t => $"'{t.Name}' {t.Datatype} {Shape(t.Shape)}"));
        return listed.Length == 0 ? "none" : listed;
    }

    private static string Shape(IEnumerable<long> shape) =>
        "[" + string.Join(',', shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + "]";
}
