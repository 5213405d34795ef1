namespace StreamAnalytics.Inference;

/// <summary>
/// The few protobuf wire-format operations needed to edit an ONNX model in memory without a protobuf
/// dependency: walk a message's fields, copy them, and replace or add length-delimited ones.
/// </summary>
internal static class ProtobufWire
{
    public const int WireVarint = 0;
    public const int WireFixed64 = 1;
    public const int WireLength = 2;
    public const int WireFixed32 = 5;

    public delegate void FieldVisitor(int field, int wire, ReadOnlyMemory<byte> value);

    public delegate bool FieldRewriter(int field, int wire, ReadOnlyMemory<byte> value, MemoryStream output);

    public static void ForEachField(byte[] message, FieldVisitor visit)
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
    public static byte[] RewriteFields(byte[] message, FieldRewriter rewrite)
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

    public static void WriteLengthDelimited(Stream output, int field, ReadOnlySpan<byte> value)
    {
        WriteVarint(output, ((ulong)field << 3) | WireLength);
        WriteVarint(output, (ulong)value.Length);
        output.Write(value);
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
                var length = checked((int)ReadVarint(data, ref position));
                if (length < 0 || position + length > data.Length)
                {
                    throw new InvalidDataException("A length-delimited field runs past the end of the ONNX file.");
                }

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
            if (position >= data.Length)
            {
                throw new InvalidDataException("The ONNX file ends inside a varint.");
            }

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
}
