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
    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireLength = 2;
    private const int WireFixed32 = 5;

    /// <summary>The model with batch dimension "N", or null when no input or output has a fixed batch of 1.</summary>
    public static byte[]? MakeSymbolic(byte[] model)
    {
        var rewriter = new Rewriter();
        var result = RewriteFields(model, (field, wire, value, output) =>
        {
            if (field != 7 || wire != WireLength)
            {
                return false;
            }

            WriteLengthDelimited(output, 7, rewriter.Graph(value.ToArray()));
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
            ForEachField(graph, (field, wire, value) =>
            {
                if (field == 5 && wire == WireLength)
                {
                    ForEachField(value.ToArray(), (f, w, v) =>
                    {
                        if (f == 8 && w == WireLength)
                        {
                            initializers.Add(System.Text.Encoding.UTF8.GetString(v.Span));
                        }
                    });
                }
            });

            return RewriteFields(graph, (field, wire, value, output) =>
            {
                if (wire != WireLength)
                {
                    return false;
                }

                if (field == 13)
                {
                    return true;
                }

                if ((field == 11 || field == 12) && !initializers.Contains(NameOf(value.ToArray())))
                {
                    WriteLengthDelimited(output, field, ReplaceFirst(value.ToArray(), 2, type => ReplaceFirst(type, 1, tensor => ReplaceFirst(tensor, 2, shape => ReplaceFirst(shape, 1, Dimension)))));
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
            WriteLengthDelimited(output, 2, "N"u8.ToArray());
            return output.ToArray();
        }

        private static byte[] ReplaceFirst(byte[] message, int field, Func<byte[], byte[]> transform)
        {
            var done = false;
            return RewriteFields(message, (f, w, v, output) =>
            {
                if (done || f != field || w != WireLength)
                {
                    return false;
                }

                done = true;
                WriteLengthDelimited(output, field, transform(v.ToArray()));
                return true;
            });
        }

        private static string NameOf(byte[] valueInfo)
        {
            var name = string.Empty;
            ForEachField(valueInfo, (f, w, v) =>
            {
                if (f == 1 && w == WireLength)
                {
                    name = System.Text.Encoding.UTF8.GetString(v.Span);
                }
            });
            return name;
        }
    }

    private delegate void FieldVisitor(int field, int wire, ReadOnlyMemory<byte> value);

    private delegate bool FieldRewriter(int field, int wire, ReadOnlyMemory<byte> value, MemoryStream output);

    private static void ForEachField(byte[] message, FieldVisitor visit)
    {
        var position = 0;
        while (position < message.Length)
        {
            var (field, wire, start, end, next) = ReadField(message, position);
            visit(field, wire, message.AsMemory(start, end - start));
            position = next;
        }
    }

    /// <summary>Copies every field, letting <paramref name="rewrite"/> replace (or drop, by writing nothing) the ones it handles.</summary>
    private static byte[] RewriteFields(byte[] message, FieldRewriter rewrite)
    {
        using var output = new MemoryStream(message.Length);
        var position = 0;
        while (position < message.Length)
        {
            var (field, wire, start, end, next) = ReadField(message, position);
            if (!rewrite(field, wire, message.AsMemory(start, end - start), output))
            {
                output.Write(message, position, next - position);
            }

            position = next;
        }

        return output.ToArray();
    }

    /// <summary>One field at <paramref name="position"/>: its number, wire type, value bounds and the next field's position.</summary>
    private static (int Field, int Wire, int Start, int End, int Next) ReadField(byte[] data, int position)
    {
        var key = ReadVarint(data, ref position);
        var field = (int)(key >> 3);
        var wire = (int)(key & 7);
        var start = position;
        switch (wire)
        {
            case WireVarint:
                ReadVarint(data, ref position);
                return (field, wire, start, position, position);
            case WireFixed64:
                return (field, wire, start, start + 8, start + 8);
            case WireLength:
                var length = (int)ReadVarint(data, ref position);
                return (field, wire, position, position + length, position + length);
            case WireFixed32:
                return (field, wire, start, start + 4, start + 4);
            default:
                throw new InvalidDataException($"Unsupported protobuf wire type {wire} in the ONNX file.");
        }
    }

    private static ulong ReadVarint(byte[] data, ref int position)
    {
        ulong result = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            var b = data[position++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return result;
            }
        }

        throw new InvalidDataException("Malformed varint in the ONNX file.");
    }

    private static void WriteVarint(Stream output, ulong value)
    {
        Span<byte> buffer = stackalloc byte[10];
        var length = 0;
        do
        {
            var b = (byte)(value & 0x7F);
            value >>= 7;
            buffer[length++] = value != 0 ? (byte)(b | 0x80) : b;
        }
        while (value != 0);
        output.Write(buffer[..length]);
    }

    private static void WriteLengthDelimited(Stream output, int field, byte[] value)
    {
        WriteVarint(output, ((ulong)field << 3) | WireLength);
        WriteVarint(output, (ulong)value.Length);
        output.Write(value);
    }
}
