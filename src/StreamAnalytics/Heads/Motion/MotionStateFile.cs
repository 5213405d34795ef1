using System.Runtime.InteropServices;
using System.Text;
using StreamAnalytics.Storage;

namespace StreamAnalytics.Heads.Motion;

/// <summary>
/// A camera's learned motion state on disk (<c>streamanalytics learn</c> writes it, <c>Cameras[i].MotionState</c>
/// names it): a versioned header with the feature settings it was learned with, then the vectors. Written aside
/// and renamed, so a crash never leaves half a state.
/// </summary>
internal static class MotionStateFile
{
    /// <summary>Version of the layout written by <see cref="Save"/>.</summary>
    public const int FormatVersion = 2;

    private static readonly byte[] Magic = "SAMOTION"u8.ToArray();

    /// <summary>Writes the state file: a header (format version, feature settings, camera, time, threshold) then the vectors.</summary>
    public static void Save(MotionNormalityModel model, string path)
    {
        DurableFile.Write(path, stream =>
        {
            using var writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            writer.Write(Magic);
            writer.Write(FormatVersion);
            writer.Write(model.CameraId);
            writer.Write(model.CreatedAt.ToUnixTimeMilliseconds());
            WriteFeatureOptions(writer, model.FeatureOptions);
            writer.Write(model.SmoothingFrames);
            writer.Write(model.ThresholdQuantile);
            writer.Write(model.Threshold);
            writer.Write(model.TrainingFrames);
            writer.Write(model.TrainingVideos);
            writer.Write(model.HoldOutGroups);
            writer.Write(model.Frames);
            WriteFloats(writer, model.Scales);
            WriteFloats(writer, model.Vectors);
        });
    }

    /// <summary>
    /// Reads a state file. With <paramref name="expected"/> set (the extractor that will feed this model),
    /// a file learned with any other feature settings is refused: its distances would be meaningless.
    /// </summary>
    /// <exception cref="InvalidDataException">Not a motion state file, another format version, truncated, or learned with other settings.</exception>
    public static MotionNormalityModel Load(string path, MotionFeatureOptions? expected = null)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        using var reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: false);
        try
        {
            var magic = reader.ReadBytes(Magic.Length);
            if (!magic.AsSpan().SequenceEqual(Magic))
            {
                throw new InvalidDataException($"'{path}' is not a motion normality state file.");
            }

            var version = reader.ReadInt32();
            if (version is < 1 or > FormatVersion)
            {
                throw new InvalidDataException($"'{path}' has state format version {version}; this build reads version {FormatVersion}. Learn it again.");
            }

            var cameraId = reader.ReadString();
            var createdAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.ReadInt64());
            var features = ReadFeatureOptions(reader, version);
            if (features.AlgorithmVersion != MotionFeatureOptions.CurrentAlgorithmVersion)
            {
                throw new InvalidDataException($"'{path}' was learned with motion feature algorithm version {features.AlgorithmVersion}; this build computes version {MotionFeatureOptions.CurrentAlgorithmVersion}. Learn it again.");
            }

            if (expected is not null && features != expected)
            {
                throw new InvalidDataException($"'{path}' was learned with other motion feature settings ({MotionNormalityModel.Describe(features)}) than this extractor uses ({MotionNormalityModel.Describe(expected)}). Learn it again with these settings.");
            }

            var problems = features.Problems();
            if (problems.Count > 0)
            {
                throw new InvalidDataException($"'{path}' holds invalid feature settings: {string.Join("; ", problems)}.");
            }

            var smoothing = reader.ReadInt32();
            var quantile = reader.ReadDouble();
            var threshold = reader.ReadDouble();
            var trainingFrames = reader.ReadInt32();
            var trainingVideos = reader.ReadInt32();
            var groups = reader.ReadInt32();
            var frames = reader.ReadInt32();
            if (smoothing < 1 || frames < 1)
            {
                throw new InvalidDataException($"'{path}' is damaged (smoothing {smoothing}, frames {frames}).");
            }

            var scale = ReadFloats(reader, features.FeaturesPerCell);
            var vectors = ReadFloats(reader, (long)features.CellCount * features.FeaturesPerCell * frames);
            if (stream.Position != stream.Length)
            {
                throw new InvalidDataException($"'{path}' has {stream.Length - stream.Position} unexpected trailing bytes.");
            }

            return new MotionNormalityModel(features, cameraId, createdAt, smoothing, quantile, threshold, frames, trainingFrames, trainingVideos, groups, scale, vectors);
        }
        catch (EndOfStreamException)
        {
            throw new InvalidDataException($"'{path}' is truncated.");
        }
    }

    private static void WriteFeatureOptions(BinaryWriter writer, MotionFeatureOptions o)
    {
        writer.Write(o.AlgorithmVersion);
        writer.Write(o.AnalysisWidth);
        writer.Write(o.AnalysisHeight);
        writer.Write(o.CellSize);
        writer.Write(o.CellStride);
        writer.Write(o.DirectionBins);
        writer.Write(o.MagnitudeBins);
        writer.Write(o.MagnitudeBase);
        writer.Write(o.FlowPyramidScale);
        writer.Write(o.FlowLevels);
        writer.Write(o.FlowWindowSize);
        writer.Write(o.FlowIterations);
        writer.Write(o.FlowPolyN);
        writer.Write(o.FlowPolySigma);
        writer.Write(o.MaxFps);
    }

    // Version 1 files predate MaxFps: they measured every frame.
    private static MotionFeatureOptions ReadFeatureOptions(BinaryReader reader, int version) => new()
    {
        AlgorithmVersion = reader.ReadInt32(),
        AnalysisWidth = reader.ReadInt32(),
        AnalysisHeight = reader.ReadInt32(),
        CellSize = reader.ReadInt32(),
        CellStride = reader.ReadInt32(),
        DirectionBins = reader.ReadInt32(),
        MagnitudeBins = reader.ReadInt32(),
        MagnitudeBase = reader.ReadSingle(),
        FlowPyramidScale = reader.ReadDouble(),
        FlowLevels = reader.ReadInt32(),
        FlowWindowSize = reader.ReadInt32(),
        FlowIterations = reader.ReadInt32(),
        FlowPolyN = reader.ReadInt32(),
        FlowPolySigma = reader.ReadDouble(),
        MaxFps = version >= 2 ? reader.ReadDouble() : 0,
    };

    private static void WriteFloats(BinaryWriter writer, float[] values)
    {
        writer.Write(values.LongLength);
        if (BitConverter.IsLittleEndian)
        {
            writer.Write(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        else
        {
            foreach (var v in values)
            {
                writer.Write(v);
            }
        }
    }

    private static float[] ReadFloats(BinaryReader reader, long expected)
    {
        var count = reader.ReadInt64();
        if (count != expected)
        {
            throw new InvalidDataException($"State file is damaged: {count} floats where the header implies {expected}.");
        }

        var values = new float[count];
        if (BitConverter.IsLittleEndian)
        {
            reader.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        }
        else
        {
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = reader.ReadSingle();
            }
        }

        return values;
    }
}
