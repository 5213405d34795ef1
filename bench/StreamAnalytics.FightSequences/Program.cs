using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using StreamAnalytics.Heads.Action;
using StreamAnalytics.Inference;
using StreamAnalytics.Tools.Actions;

// Per-step sequences of the fight clips' views, for the temporal-model study of issue 10 item 5
// (models/fight/temporal_study.py):
//   dotnet run -c Release --project bench/StreamAnalytics.FightSequences -- ../shared/data/surveillance-fight/manifest.csv /tmp/fight-seq
// The views are exactly those of `features action` (ClipEmbedder: 5 offsets x mirrored, T = 32, the INT8 backbone the
// CPU runs live). Where temporal-stats-v1 keeps only each channel's mean and std over a view's T - 1 steps, this writes
// every step: a_t[k] = max over cells of |m_{t+1}[k,s] - m_t[k,s]| (C values), g_t[k] = max_s m_{t+1}[k,s] -
// max_s m_t[k,s] (C values), c_t = 1 - cos(e_{t+1}, e_t) and |e_{t+1} - e_t|. The appearance e_t itself is left out:
// on grouped folds it is what leaks (docs/models-action.md).
// OUT.f32 holds the steps as little-endian float32, OUT.csv a row per view: path,label,view,steps,offset (in steps).
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: StreamAnalytics.FightSequences MANIFEST_CSV OUT_PREFIX");
    return 2;
}

const int frames = 32;
var clips = ClipManifest.Load(args[0]);
var manifest = ModelManifestLoader.Load(Path.Combine(AppContext.BaseDirectory, "models", "resnet18", "model-featuremap.json"));
using var backbone = OnnxModel.Load(manifest.WithPrecision("auto"), "cpu", 0, 0, 16, NullLogger.Instance);
var recipe = ClipFeatureRecipe.ForBackbone(ClipFeatureRecipe.TemporalStatsV1, backbone.Manifest, backbone.OutputItemSizes);
var channels = recipe.Channels;
var cells = recipe.Cells;
var embeddingOffset = OffsetOf(OutputRole.Embedding);
var mapOffset = OffsetOf(OutputRole.FeatureMap);
var stepLength = (2 * channels) + 2;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{clips.Count} clips; backbone precision {backbone.Precision}; {stepLength} values per step"));

using var embedder = new ClipEmbedder(backbone, NullLogger<StreamAnalytics.Ingest.CameraReader>.Instance);
using var data = new BinaryWriter(File.Create(args[1] + ".f32"));
using var index = new StreamWriter(args[1] + ".csv");
index.WriteLine("path,label,view,steps,offset");
var step = new float[stepLength];
long written = 0;
for (var c = 0; c < clips.Count; c++)
{
    var embedded = await embedder.EmbedAsync(clips[c].FullPath, frames, mirrored: true, CancellationToken.None).ConfigureAwait(false);
    foreach (var view in embedded.Views)
    {
        var steps = view.Frames.Count - 1;
        index.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{clips[c].Path},{clips[c].Label},{view.Name},{steps},{written}"));
        for (var t = 0; t < steps; t++)
        {
            Step(view.Frames[t], view.Frames[t + 1], step);
            foreach (var value in step)
            {
                data.Write(value);
            }
        }

        written += steps;
    }

    if ((c + 1) % 20 == 0)
    {
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{c + 1}/{clips.Count} clips, {written} steps"));
    }
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {written} steps of {stepLength} values to {args[1]}.f32"));
return 0;

int OffsetOf(OutputRole role)
{
    var offset = 0;
    for (var o = 0; o < backbone.Manifest.Outputs.Count; o++)
    {
        if (backbone.Manifest.Outputs[o].Role == role)
        {
            return offset;
        }

        offset += backbone.OutputItemSizes[o];
    }

    throw new InvalidOperationException($"The backbone has no {role} output.");
}

void Step(float[] before, float[] after, float[] into)
{
    double dot = 0, nb = 0, na = 0, dd = 0;
    for (var k = 0; k < channels; k++)
    {
        var (x, y) = (before[embeddingOffset + k], after[embeddingOffset + k]);
        (dot, nb, na, dd) = (dot + (x * y), nb + (x * x), na + (y * y), dd + ((y - x) * (y - x)));
        var (localChange, maxBefore, maxAfter) = (0f, float.MinValue, float.MinValue);
        for (var s = 0; s < cells; s++)
        {
            var (mb, ma) = (before[mapOffset + (k * cells) + s], after[mapOffset + (k * cells) + s]);
            (localChange, maxBefore, maxAfter) = (Math.Max(localChange, Math.Abs(ma - mb)), Math.Max(maxBefore, mb), Math.Max(maxAfter, ma));
        }

        into[k] = localChange;
        into[channels + k] = maxAfter - maxBefore;
    }

    into[2 * channels] = (float)(1 - (dot / Math.Sqrt(Math.Max(nb * na, 1e-24))));
    into[(2 * channels) + 1] = (float)Math.Sqrt(dd);
}
