using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace StreamAnalytics.RegionAppearance;

/// <summary>A video as <see cref="FeatureDump"/> wrote it, windowed as live (8 sampled frames, a window every 4): each window's mean feature map, channel-major, with its first and last decoded frame.</summary>
internal sealed record DumpedVideo(long Frames, IReadOnlyList<(long First, long Last, float[] Map)> Windows)
{
    private const int Length = 8;
    private const int Hop = 4;

    public static DumpedVideo Load(string directory, string name)
    {
        var header = File.ReadAllText(Path.Combine(directory, name + ".txt")).Split(' ', StringSplitOptions.TrimEntries);
        var (frames, sampled, every) = (long.Parse(header[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(header[1], System.Globalization.CultureInfo.InvariantCulture), int.Parse(header[2], System.Globalization.CultureInfo.InvariantCulture));
        var halves = MemoryMarshal.Cast<byte, Half>(File.ReadAllBytes(Path.Combine(directory, name + ".map.f16")));
        var size = halves.Length / sampled;
        var maps = new float[sampled][];
        for (var i = 0; i < sampled; i++)
        {
            maps[i] = new float[size];
            for (var k = 0; k < size; k++)
            {
                maps[i][k] = (float)halves[(i * size) + k];
            }
        }

        var windows = new List<(long, long, float[])>();
        for (var end = Length - 1; end < sampled; end += Hop)
        {
            var mean = new float[size];
            for (var j = end - Length + 1; j <= end; j++)
            {
                TensorPrimitives.Add(mean, maps[j], mean);
            }

            TensorPrimitives.Divide(mean, Length, mean);
            windows.Add(((end - Length + 1) * every, end * every, mean));
        }

        return new DumpedVideo(frames, windows);
    }
}
