namespace StreamAnalytics.Inference;

/// <summary>
/// Makes a fixed batch dimension of 1 symbolic in an ONNX model, in memory, at load time, so one run
/// can take a whole batch. Exporters such as CNTK's (the shipped ResNet-18) pin the batch to 1 though
/// nothing in the graph depends on it. Only the graph's non-initializer inputs and its outputs are
/// changed; the recorded intermediate shapes (value_info) are dropped for ONNX Runtime to infer again.
/// This walks the protobuf wire format directly: ModelProto.graph(7) → GraphProto.input(11)/output(12)
/// → ValueInfoProto.type(2) → TypeProto.tensor_type(1) → shape(2) → dim(1) → dim_value(1) | dim_param(2).
/// </summary>
public static class OnnxBatchDimension
{
    /// <summary>The model with batch dimension "N", or null when no input or output has a fixed batch of 1.</summary>
    public static byte[]? MakeSymbolic(byte[] model)
    {
        var rewriter = new Rewriter();
        var result = ProtobufWire.RewriteFields(model, (field, wire, value, output) =>
        {
            if (field != 7 || wire != ProtobufWire.WireLength)
            {
                return false;
            }

            ProtobufWire.WriteLengthDelimited(output, 7, rewriter.Graph(value.ToArray()));
            return true;
        });
        return rewriter.Changed ? result : null;
    }

    private sealed class Rewriter
    {
        public bool Changed { get; private set; }

        public byte[] Graph(byte[] graph)
        {
            var initializers = new HashSet<string>(StringComparer.Ordinal);
            ProtobufWire.ForEachField(graph, (field, wire, value) =>
            {
                if (field == 5 && wire == ProtobufWire.WireLength)
                {
                    ProtobufWire.ForEachField(value.ToArray(), (f, w, v) =>
                    {
                        if (f == 8 && w == ProtobufWire.WireLength)
                        {
                            initializers.Add(System.Text.Encoding.UTF8.GetString(v.Span));
                        }
                    });
                }
            });

            return ProtobufWire.RewriteFields(graph, (field, wire, value, output) =>
            {
                if (wire != ProtobufWire.WireLength)
                {
                    return false;
                }

                if (field == 13)
                {
                    return true;
                }

                if ((field == 11 || field == 12) && !initializers.Contains(NameOf(value.ToArray())))
                {
                    ProtobufWire.WriteLengthDelimited(output, field, ReplaceFirst(value.ToArray(), 2, type => ReplaceFirst(type, 1, tensor => ReplaceFirst(tensor, 2, shape => ReplaceFirst(shape, 1, Dimension)))));
                    return true;
                }

                return false;
            });
        }

        /// <summary>dim_value 1 (bytes 08 01) becomes dim_param "N".</summary>
        private byte[] Dimension(byte[] dimension)
        {
            if (dimension is not [0x08, 0x01])
            {
                return dimension;
            }

            Changed = true;
            using var output = new MemoryStream();
            ProtobufWire.WriteLengthDelimited(output, 2, "N"u8.ToArray());
            return output.ToArray();
        }

        private static byte[] ReplaceFirst(byte[] message, int field, Func<byte[], byte[]> transform)
        {
            var done = false;
            return ProtobufWire.RewriteFields(message, (f, w, v, output) =>
            {
                if (done || f != field || w != ProtobufWire.WireLength)
                {
                    return false;
                }

                done = true;
                ProtobufWire.WriteLengthDelimited(output, field, transform(v.ToArray()));
                return true;
            });
        }

        private static string NameOf(byte[] valueInfo)
        {
            var name = string.Empty;
            ProtobufWire.ForEachField(valueInfo, (f, w, v) =>
            {
                if (f == 1 && w == ProtobufWire.WireLength)
                {
                    name = System.Text.Encoding.UTF8.GetString(v.Span);
                }
            });
            return name;
        }
    }
}
