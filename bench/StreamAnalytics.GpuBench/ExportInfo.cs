using System.Globalization;
using System.Text.Json;
using StreamAnalytics.Inference;

namespace StreamAnalytics.GpuBench;

/// <summary>
/// What models/torchvision-video/export.py recorded in <c>export.json</c> beside the manifest: the
/// architecture (so PyTorch can run the same network) and the optional sample batch.
/// </summary>
internal sealed record ExportInfo(string Directory, string Architecture, int Frames, int Size, bool Fp16, string Weights, string Torch, int Opset, SampleFiles? Sample)
{
    public static ExportInfo? TryRead(ModelManifest manifest)
    {
        var directory = Path.GetDirectoryName(manifest.ManifestPath)!;
        var path = Path.Combine(directory, "export.json");
        if (!File.Exists(path))
        {
            return null;
        }

        using var json = JsonDocument.Parse(File.ReadAllText(path));
        var root = json.RootElement;
        SampleFiles? sample = null;
        if (root.TryGetProperty("sample", out var s))
        {
            sample = new SampleFiles(s.GetProperty("batch").GetInt32(), Path.Combine(directory, s.GetProperty("input").GetString()!), Path.Combine(directory, s.GetProperty("logits").GetString()!));
        }

        var weights = root.GetProperty("weights");
        var kind = weights.GetProperty("kind").GetString() ?? "?";
        var weightsText = kind == "random"
            ? string.Create(CultureInfo.InvariantCulture, $"random weights (seed {weights.GetProperty("seed").GetInt32()})")
            : $"weights {weights.GetProperty("file").GetString()}";
        return new ExportInfo(
            directory,
            root.GetProperty("architecture").GetString()!,
            root.GetProperty("frames").GetInt32(),
            root.GetProperty("size").GetInt32(),
            root.GetProperty("fp16").GetBoolean(),
            weightsText,
            root.GetProperty("torch").GetString() ?? "?",
            root.GetProperty("opset").GetInt32(),
            sample);
    }

    public string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"torchvision {Architecture}, {Weights}, {(Fp16 ? "float16 inside (float32 in/out)" : "float32")}, exported with torch {Torch} at opset {Opset}");
}

internal sealed record SampleFiles(int Batch, string InputPath, string LogitsPath);
