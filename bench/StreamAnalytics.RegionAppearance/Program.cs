using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using StreamAnalytics.Detection;
using StreamAnalytics.Heads.Motion;
using StreamAnalytics.Ingest;
using StreamAnalytics.Inference;
using StreamAnalytics.RegionAppearance;
using StreamAnalytics.Tools;
using StreamAnalytics.Tools.Anomaly;

// Appearance per region on UCSD Ped2 (issue 10 item 2), measured before any head is built on it:
//   dotnet run -c Release --project bench/StreamAnalytics.RegionAppearance -- ../shared/data/ucsd-ped2 STATE
// STATE: a motion state learned on the 16 training videos (streamanalytics learn), for the motion scores and the combination.
// Each test frame's 7x7 cells of the ResNet-18 feature map (INT8 on the CPU, as shipped) are compared with the same cell
// of every 3rd training frame (cosine distance to the nearest). All settings were fixed before the test videos were
// scored: a cell's distance is divided by the 0.99 quantile of that cell's distances held out by training video (cells
// where people walk vary more); the frame's score is its worst cell, trailing mean of 5 frames; its threshold is the
// 0.995 quantile of the training frames' held-out scores; the combination is the larger of each head's score over
// its own threshold.
//
// Or, for calibration_study.py (the appearance head per region, and spaced calibration, on footage it did not learn):
//   dotnet run -c Release --project bench/StreamAnalytics.RegionAppearance -- dump OUT_DIR EVERY [--backbone MANIFEST] VIDEO...
// --backbone: another backbone with an embedding and a 7x7x512 featureMap output (the distilled student, docs/models.md).
if (args is ["dump", var outDir, var every, .. var rest] && rest.Length > 0)
{
    var (dumpBackbone, videos) = rest is ["--backbone", var chosen, .. var after]
        ? (chosen, after)
        : (Path.Combine(AppContext.BaseDirectory, "models", "resnet18", "model-featuremap.json"), rest);
    var dumpManifest = ModelManifestLoader.Load(dumpBackbone);
    using var dumpModel = OnnxModel.Load(dumpManifest, "cpu", 0, 0, 8, NullLogger.Instance);
    using var dumpMaps = new FeatureMaps(dumpModel);
    Directory.CreateDirectory(outDir);
    Console.WriteLine($"model {dumpManifest.Name} {dumpManifest.Version} ({dumpModel.ExecutionProvider}, {dumpModel.Precision})");
    foreach (var video in videos)
    {
        var written = await FeatureDump.WriteAsync(dumpMaps, video, int.Parse(every, CultureInfo.InvariantCulture), outDir).ConfigureAwait(false);
        Console.WriteLine($"{Path.GetFileName(video)}: {written} frames written");
    }

    return 0;
}

// And the study's training plays through the product's own detector, for its shipped setting:
//   dotnet run -c Release --project bench/StreamAnalytics.RegionAppearance -- replay OUT_DIR
if (args is ["replay", var dumped])
{
    var replayManifest = ModelManifestLoader.Load(Path.Combine(AppContext.BaseDirectory, "models", "resnet18", "model-featuremap.json"));
    var dumpedVideos = Enumerable.Range(1, 16).Select(i => DumpedVideo.Load(dumped, string.Create(CultureInfo.InvariantCulture, $"train{i:D2}"))).ToList();
    var (incidents, seconds) = RegionReplay.Run(dumpedVideos, replayManifest, FeatureMaps.Channels);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Detection.Anomaly.Regions (defaults, 80 windows), product code: {incidents} false incidents in {seconds:F0} s of Ped2 training plays, {incidents * 3600 / seconds:F1} per hour"));
    return 0;
}

if (args.Length < 2)
{
    Console.Error.WriteLine("usage: StreamAnalytics.RegionAppearance PED2_DIR MOTION_STATE | dump OUT_DIR EVERY [--backbone MANIFEST] VIDEO... | replay OUT_DIR");
    return 2;
}

var ped2 = args[0];
var motionModel = MotionStateFile.Load(args[1]);
var manifest = ModelManifestLoader.Load(Path.Combine(AppContext.BaseDirectory, "models", "resnet18", "model-featuremap.json"));
using var backbone = OnnxModel.Load(manifest, "cpu", 0, 0, 8, NullLogger.Instance);
using var maps = new FeatureMaps(backbone);
var trainVideos = Directory.GetFiles(Path.Combine(ped2, "train"), "*.mp4").Order(StringComparer.Ordinal).ToList();
var train = new List<(int Video, float[] Cells)>();
for (var v = 0; v < trainVideos.Count; v++)
{
    train.AddRange((await maps.ReadAsync(trainVideos[v], every: 3).ConfigureAwait(false)).Select(c => (v, c)));
}

var heldOutCells = new List<(int Video, double[] Distances)>();
for (var v = 0; v < trainVideos.Count; v++)
{
    var others = train.Where(o => o.Video != v).Select(o => o.Cells).ToList();
    heldOutCells.AddRange(train.Where(t => t.Video == v).Select(t => (v, FeatureMaps.CellDistances(t.Cells, others))));
}

var scale = Enumerable.Range(0, FeatureMaps.Cells).Select(c => Math.Max(1e-6, Quantile([.. heldOutCells.Select(h => h.Distances[c])], 0.99))).ToArray();
var heldOut = new List<double>();
for (var v = 0; v < trainVideos.Count; v++)
{
    // Every 3rd frame kept: a trailing mean of 2 kept frames spans about the 5 frames of the live smoothing.
    heldOut.AddRange(Smooth([.. heldOutCells.Where(h => h.Video == v).Select(h => Worst(h.Distances))], 2));
}

var threshold = Quantile([.. heldOut], 0.995);
var references = train.Select(t => t.Cells).ToList();
var labels = AnomalyLabels.Load(Path.Combine(ped2, "test", "labels.json"));
var (truth, appearance, motion) = (new List<bool>(), new List<double>(), new List<double>());
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"training frames kept: {train.Count}; appearance threshold {threshold:F4}; motion threshold {motionModel.Threshold:F4}"));
Console.WriteLine("| video | appearance AUC | motion AUC | combined AUC |");
Console.WriteLine("|---|---|---|---|");
foreach (var video in labels)
{
    var path = Path.Combine(ped2, "test", video.Name);
    var a = Smooth([.. (await maps.ReadAsync(path, every: 1).ConfigureAwait(false)).Select(m => Worst(FeatureMaps.CellDistances(m, references)))], 5);
    var m = new List<double>();
    using (var head = new MotionAnomalyHead(motionModel))
    {
        await OfflineVideo.DecodeAsync(path, frame => m.Add(head.Process(frame).Score), NullLogger<CameraReader>.Instance, CancellationToken.None).ConfigureAwait(false);
    }

    var t = Enumerable.Range(1, a.Count).Select(i => video.IsAnomalous(i)).ToArray();
    truth.AddRange(t);
    appearance.AddRange(a);
    motion.AddRange(m);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {video.Name} | {RocAuc.Compute([.. a], t):F3} | {RocAuc.Compute([.. m], t):F3} | {RocAuc.Compute(Combine(a, m), t):F3} |"));
}

bool[] truthArray = [.. truth];
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| pooled ({truth.Count} frames) | {RocAuc.Compute([.. appearance], truthArray):F4} | {RocAuc.Compute([.. motion], truthArray):F4} | {RocAuc.Compute(Combine(appearance, motion), truthArray):F4} |"));
var anomalous = truth.Count(x => x);
Console.WriteLine($"Above the appearance threshold: {appearance.Where((s, i) => truth[i] && s > threshold).Count()} of {anomalous} anomalous frames, {appearance.Where((s, i) => !truth[i] && s > threshold).Count()} of {truth.Count - anomalous} normal ones.");
Console.WriteLine($"Above either threshold: {Combine(appearance, motion).Where((s, i) => truth[i] && s > 1).Count()} of {anomalous} anomalous frames, {Combine(appearance, motion).Where((s, i) => !truth[i] && s > 1).Count()} of {truth.Count - anomalous} normal ones.");
return 0;

double Worst(double[] distances) => Enumerable.Range(0, FeatureMaps.Cells).Max(c => distances[c] / scale[c]);

double[] Combine(List<double> a, List<double> m) => [.. a.Zip(m, (x, y) => Math.Max(x / threshold, y / motionModel.Threshold))];

static List<double> Smooth(List<double> values, int n) =>
    [.. values.Select((_, i) => values.Skip(Math.Max(0, i - n + 1)).Take(Math.Min(n, i + 1)).Average())];

static double Quantile(double[] values, double q)
{
    var sorted = values.Order().ToArray();
    return sorted[(int)(q * (sorted.Length - 1))];
}
