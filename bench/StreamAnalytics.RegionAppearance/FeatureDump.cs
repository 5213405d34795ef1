using System.Globalization;
using System.Runtime.InteropServices;

namespace StreamAnalytics.RegionAppearance;

/// <summary>
/// Writes, for every n-th decoded frame of a video, the backbone's feature map as it comes out (512 channels x 49 cells,
/// channel-major, float16) to NAME.map.f16 and its embedding (512 float32) to NAME.emb.f32, and "frames written every"
/// to NAME.txt, for the Python study next to this file (calibration_study.py), which tries detectors on them.
/// </summary>
internal static class FeatureDump
{
    /// <summary>Returns the number of frames written.</summary>
    public static async Task<int> WriteAsync(FeatureMaps maps, string video, int every, string directory)
    {
        var name = Path.GetFileNameWithoutExtension(video);
        var written = 0;
        long frames;
        using (var mapFile = File.Create(Path.Combine(directory, name + ".map.f16")))
        using (var embeddingFile = File.Create(Path.Combine(directory, name + ".emb.f32")))
        {
            frames = await maps.ForEachAsync(video, every, (map, embedding) =>
            {
                var halves = new Half[map.Length];
                for (var k = 0; k < map.Length; k++)
                {
                    halves[k] = (Half)map[k];
                }

                mapFile.Write(MemoryMarshal.AsBytes(halves.AsSpan()));
                embeddingFile.Write(MemoryMarshal.AsBytes(embedding));
                written++;
            }).ConfigureAwait(false);
        }

        await File.WriteAllTextAsync(Path.Combine(directory, name + ".txt"), string.Create(CultureInfo.InvariantCulture, $"{frames} {written} {every}\n")).ConfigureAwait(false);
        return written;
    }
}
