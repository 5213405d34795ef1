using System.Text.Json;

namespace StreamAnalytics.Tools.Anomaly;

/// <summary>
/// Reads the frame-level ground truth format of <c>../shared/data/ucsd-ped2/test/labels.json</c>:
/// <c>{"videos": {"test01.mp4": {"frames": 180, "anomalous_frames": [[61, 180]]}, …}}</c>, frames 1-based
/// and ranges inclusive. Videos are returned in file order, so an evaluation is reproducible.
/// </summary>
internal static class AnomalyLabels
{
    /// <exception cref="InvalidDataException">The file does not follow the format.</exception>
    public static IReadOnlyList<AnomalyVideoLabels> Load(string path)
    {
        using var document = ParseDocument(path);
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("videos", out var videos)
            || videos.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"'{path}' has no \"videos\" object.");
        }

        var result = new List<AnomalyVideoLabels>();
        foreach (var video in videos.EnumerateObject())
        {
            var name = video.Name;
            if (name.Length == 0 || Path.GetFileName(name) != name)
            {
                throw new InvalidDataException($"'{path}': video name '{name}' must be a plain file name next to the labels file.");
            }

            if (video.Value.ValueKind != JsonValueKind.Object
                || !video.Value.TryGetProperty("frames", out var framesElement)
                || !framesElement.TryGetInt32(out var frames) || frames < 1)
            {
                throw new InvalidDataException($"'{path}': video '{name}' needs a positive integer \"frames\".");
            }

            var ranges = new List<(int, int)>();
            if (video.Value.TryGetProperty("anomalous_frames", out var rangesElement))
            {
                if (rangesElement.ValueKind != JsonValueKind.Array)
                {
                    throw new InvalidDataException($"'{path}': video '{name}': \"anomalous_frames\" must be an array of [first, last] pairs.");
                }

                foreach (var range in rangesElement.EnumerateArray())
                {
                    if (range.ValueKind != JsonValueKind.Array || range.GetArrayLength() != 2
                        || !range[0].TryGetInt32(out var first) || !range[1].TryGetInt32(out var last)
                        || first < 1 || last < first || last > frames)
                    {
                        throw new InvalidDataException($"'{path}': video '{name}': every anomalous range must be [first, last] with 1 ≤ first ≤ last ≤ {frames}.");
                    }

                    ranges.Add((first, last));
                }
            }

            result.Add(new AnomalyVideoLabels(name, frames, ranges));
        }

        if (result.Count == 0)
        {
            throw new InvalidDataException($"'{path}' lists no videos.");
        }

        return result;
    }

    /// <summary>The file's top-level <c>"fps"</c> (frames per second of its videos), or null when it has none.</summary>
    /// <exception cref="InvalidDataException">The file is not JSON, or its fps is not a positive number.</exception>
    public static double? Fps(string path)
    {
        using var document = ParseDocument(path);
        if (document.RootElement.ValueKind != JsonValueKind.Object || !document.RootElement.TryGetProperty("fps", out var fps))
        {
            return null;
        }

        return fps.TryGetDouble(out var value) && value > 0 ? value : throw new InvalidDataException($"'{path}': \"fps\" must be a positive number.");
    }

    private static JsonDocument ParseDocument(string path)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(path));
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"'{path}' is not valid JSON: {ex.Message}", ex);
        }
    }
}
