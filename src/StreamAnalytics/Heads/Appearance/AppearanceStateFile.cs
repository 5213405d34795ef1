using System.Runtime.InteropServices;
using System.Text;
using StreamAnalytics.Storage;

namespace StreamAnalytics.Heads.Appearance;

/// <summary>
/// A camera's appearance calibration on disk (<c>&lt;Pipeline.StateDirectory&gt;/appearance/&lt;camera&gt;.state</c>): the
/// unit-length embeddings of the windows it learned as normal, with the camera id and the model and output they came
/// from, (from format 2) the calibration's spread, which the threshold comes from, and (from format 3) the per-cell scales
/// of a region calibration (<see cref="RegionMetric"/>; none for the whole embedding). Written through
/// <see cref="DurableFile"/>, so a crash leaves the old file or the new one, never a torn one. Formats 1 and 2 are still
/// read: a format 1 file's spread is learned again from the windows; neither holds scales.
/// </summary>
internal static class AppearanceStateFile
{
    public const int FormatVersion = 3;

    private static readonly byte[] Magic = "SAAPPEAR"u8.ToArray();

    public static string PathFor(string stateDirectory, string cameraId) =>
        Path.Combine(Path.GetFullPath(stateDirectory), "appearance", cameraId + ".state");

    /// <param name="scales">A region calibration's per-cell scales; null or empty for the whole embedding.</param>
    public static void Save(string path, string cameraId, string modelKey, IReadOnlyList<float[]> normal, AnomalySpread spread, IReadOnlyList<double>? scales = null)
    {
        DurableFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(cameraId);
            writer.Write(modelKey);
            writer.Write(spread.Mean);
            writer.Write(spread.Std);
            writer.Write(scales?.Count ?? 0);
            foreach (var scale in scales ?? [])
            {
                writer.Write(scale);
            }

            writer.Write(normal.Count);
            writer.Write(normal.Count == 0 ? 0 : normal[0].Length);
            foreach (var embedding in normal)
            {
                writer.Write(MemoryMarshal.AsBytes(embedding.AsSpan()));
            }
        });
    }

    /// <summary>The windows saved for <paramref name="cameraId"/> from the model and output <paramref name="modelKey"/> names, their spread (null from a format 1 file), and the per-cell scales of a region calibration (empty otherwise).</summary>
    /// <exception cref="InvalidDataException">Not such a file, another version, damaged, or saved for another camera or model.</exception>
    public static (List<float[]> Normal, AnomalySpread? Spread, double[] Scales) Load(string path, string cameraId, string modelKey)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: false);
        try
        {
            if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
            {
                throw new InvalidDataException($"'{path}' is not an appearance state file.");
            }

            var version = reader.ReadInt32();
            if (version is < 1 or > FormatVersion)
            {
                throw new InvalidDataException($"'{path}' has format version {version}; this build reads 1 to {FormatVersion}.");
            }

            var savedCamera = reader.ReadString();
            var savedModel = reader.ReadString();
            if (savedCamera != cameraId || savedModel != modelKey)
            {
                throw new InvalidDataException($"'{path}' was learned for camera '{savedCamera}' from {savedModel}, not for '{cameraId}' from {modelKey}.");
            }

            AnomalySpread? spread = null;
            if (version >= 2)
            {
                var mean = reader.ReadDouble();
                var std = reader.ReadDouble();
                if (!double.IsFinite(mean) || !double.IsFinite(std) || mean < 0 || std < 0)
                {
                    throw new InvalidDataException($"'{path}' is damaged (spread {mean}, {std}).");
                }

                spread = new AnomalySpread(mean, std);
            }

            var scales = Array.Empty<double>();
            if (version >= 3)
            {
                var scaleCount = reader.ReadInt32();
                if (scaleCount is < 0 or > 100_000)
                {
                    throw new InvalidDataException($"'{path}' is damaged ({scaleCount} scales).");
                }

                scales = new double[scaleCount];
                for (var c = 0; c < scaleCount; c++)
                {
                    scales[c] = reader.ReadDouble();
                    if (!double.IsFinite(scales[c]) || scales[c] < RegionMetric.MinScale)
                    {
                        throw new InvalidDataException($"'{path}' is damaged (scale {scales[c]} of cell {c}).");
                    }
                }
            }

            var count = reader.ReadInt32();
            var length = reader.ReadInt32();
            if (count is < 1 or > 100_000 || length is < 1 or > 1_000_000)
            {
                throw new InvalidDataException($"'{path}' is damaged ({count} embeddings of {length}).");
            }

            var normal = new List<float[]>(count);
            for (var i = 0; i < count; i++)
            {
                var embedding = new float[length];
                if (stream.ReadAtLeast(MemoryMarshal.AsBytes(embedding.AsSpan()), length * sizeof(float), throwOnEndOfStream: false) < length * sizeof(float))
                {
                    throw new InvalidDataException($"'{path}' is truncated.");
                }

                normal.Add(embedding);
            }

            if (stream.Position != stream.Length)
            {
                throw new InvalidDataException($"'{path}' has {stream.Length - stream.Position} unexpected trailing bytes.");
            }

            return (normal, spread, scales);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"'{path}' is truncated.");
        }
    }
}
