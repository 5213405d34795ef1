namespace StreamAnalytics.Inference;

/// <summary>
/// Exposes intermediate tensors of an ONNX graph as extra graph outputs, in memory, at load time. A
/// manifest may then list, say, the shipped ResNet-18's last 7x7 feature map (<c>ReLU393_Output_0</c>)
/// beside its pooled embedding: both come from one run, and the ONNX file from the NuGet package stays
/// as it is. A tensor is exposed by copying its recorded type and shape (GraphProto.value_info, field 13)
/// into GraphProto.output (field 12); a tensor without a recorded shape is left alone, so the manifest
/// check reports it as missing rather than guessing its shape.
/// </summary>
public static class OnnxGraphOutputs
{
    private const int GraphField = 7;
    private const int OutputField = 12;
    private const int ValueInfoField = 13;
    private const int NameField = 1;

    /// <summary>
    /// The model with each of <paramref name="names"/> that is not yet a graph output, but has a recorded
    /// shape, added as one; null when there is nothing to add (the caller then loads the file unchanged).
    /// </summary>
    public static byte[]? Expose(byte[] model, IReadOnlyCollection<string> names, out IReadOnlyList<string> exposed)
    {
        var added = new List<string>();
        exposed = added;
        var result = ProtobufWire.RewriteFields(model, (field, wire, value, output) =>
        {
            if (field != GraphField || wire != ProtobufWire.WireLength)
            {
                return false;
            }

            ProtobufWire.WriteLengthDelimited(output, GraphField, ExposeInGraph(value.ToArray(), names, added));
            return true;
        });
        return added.Count > 0 ? result : null;
    }

    /// <summary>The names of the graph's outputs, in order.</summary>
    public static IReadOnlyList<string> OutputNames(byte[] model)
    {
        var names = new List<string>();
        ProtobufWire.ForEachField(model, (field, wire, value) =>
        {
            if (field == GraphField && wire == ProtobufWire.WireLength)
            {
                ProtobufWire.ForEachField(value.ToArray(), (f, w, v) =>
                {
                    if (f == OutputField && w == ProtobufWire.WireLength)
                    {
                        names.Add(NameOf(v.ToArray()));
                    }
                });
            }
        });
        return names;
    }

    private static byte[] ExposeInGraph(byte[] graph, IReadOnlyCollection<string> names, List<string> added)
    {
        var outputs = new HashSet<string>(StringComparer.Ordinal);
        var recorded = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        ProtobufWire.ForEachField(graph, (field, wire, value) =>
        {
            if (wire != ProtobufWire.WireLength)
            {
                return;
            }

            if (field == OutputField)
            {
                outputs.Add(NameOf(value.ToArray()));
            }
            else if (field == ValueInfoField)
            {
                recorded.TryAdd(NameOf(value.ToArray()), value.ToArray());
            }
        });

        using var result = new MemoryStream(graph.Length + 256);
        result.Write(graph);
        foreach (var name in names)
        {
            if (!outputs.Contains(name) && recorded.TryGetValue(name, out var valueInfo) && outputs.Add(name))
            {
                // Repeated fields may be spread over the message: appending keeps the existing outputs first.
                ProtobufWire.WriteLengthDelimited(result, OutputField, valueInfo);
                added.Add(name);
            }
        }

        return result.ToArray();
    }

    private static string NameOf(byte[] valueInfo)
    {
        var name = string.Empty;
        ProtobufWire.ForEachField(valueInfo, (f, w, v) =>
        {
            if (f == NameField && w == ProtobufWire.WireLength)
            {
                name = System.Text.Encoding.UTF8.GetString(v.Span);
            }
        });
        return name;
    }
}
