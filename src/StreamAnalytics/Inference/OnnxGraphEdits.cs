using StreamAnalytics.Inference.OnnxSchema;

namespace StreamAnalytics.Inference;

/// <summary>
/// The in-memory edits made to an ONNX model at load time, so the file shipped (for ResNet-18, the one in
/// its NuGet package) is used as it is: exposing intermediate tensors a manifest names as graph outputs,
/// and making a batch dimension pinned at 1 symbolic.
/// </summary>
internal static class OnnxGraphEdits
{
    /// <summary>The name the symbolic batch dimension is given.</summary>
    public const string BatchDimension = "N";

    /// <summary>
    /// The model in <paramref name="path"/>, or null when it cannot be read or parsed here: the file is then
    /// left for ONNX Runtime to load and report on, in its own words.
    /// </summary>
    public static ModelProto? TryRead(string path)
    {
        try
        {
            return ModelProto.Parser.ParseFrom(File.ReadAllBytes(path));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // InvalidProtocolBufferException is an IOException too.
            return null;
        }
    }

    /// <summary>
    /// Adds each of <paramref name="names"/> that is not yet a graph output, but has a recorded type and shape
    /// (<c>value_info</c>), as one; returns the names added. A tensor without a recorded shape is left alone,
    /// so the manifest check reports it as missing rather than a shape being guessed for it.
    /// </summary>
    public static IReadOnlyList<string> ExposeOutputs(ModelProto model, IEnumerable<string> names)
    {
        var graph = model.Graph;
        if (graph is null)
        {
            return [];
        }

        var outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        var recorded = new Dictionary<string, ValueInfoProto>(StringComparer.Ordinal);
        foreach (var info in graph.ValueInfo)
        {
            recorded.TryAdd(info.Name, info);
        }

        var added = new List<string>();
        foreach (var name in names)
        {
            if (recorded.TryGetValue(name, out var info) && outputs.Add(name))
            {
                // Appended, so the graph's own outputs keep their places.
                graph.Output.Add(info.Clone());
                added.Add(name);
            }
        }

        return added;
    }

    /// <summary>
    /// Makes a batch dimension fixed at 1 symbolic in the graph's inputs (other than initializers) and
    /// outputs; false, with the model unchanged, when none has one. Exporters such as CNTK's (the shipped
    /// ResNet-18) pin the batch at 1 though nothing in the graph depends on it. The recorded intermediate
    /// shapes (<c>value_info</c>) still say 1, so they are dropped for ONNX Runtime to infer again.
    /// </summary>
    public static bool MakeBatchSymbolic(ModelProto model)
    {
        var graph = model.Graph;
        if (graph is null)
        {
            return false;
        }

        var initializers = graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        var changed = false;
        foreach (var value in graph.Input.Where(i => !initializers.Contains(i.Name)).Concat(graph.Output))
        {
            if (value.Type?.TensorType?.Shape?.Dim is [{ ValueCase: TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue, DimValue: 1 } batch, ..])
            {
                batch.DimParam = BatchDimension;
                changed = true;
            }
        }

        if (changed)
        {
            graph.ValueInfo.Clear();
        }

        return changed;
    }
}
