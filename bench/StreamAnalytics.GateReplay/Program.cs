using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using StreamAnalytics.Configuration;
using StreamAnalytics.Detection;
using StreamAnalytics.GateReplay;
using StreamAnalytics.Inference;
using StreamAnalytics.Tools.Anomaly;

// Motion gate off, then on at each threshold, over UCSD Ped2 and other normal footage, through the product's own stages:
//   dotnet run -c Release --project bench/StreamAnalytics.GateReplay -- ../shared/data/ucsd-ped2 [NORMAL_VIDEO...] [--thresholds 0.005,0.02] [--pixel-delta 24] [--max-skip 4] [--out DIR]
// Camera "ped2": the 16 train videos (the appearance head learns from the first windows), then the test videos.
// Each NORMAL_VIDEO is a camera of its own (named after the file). Writes windows-<run>.csv and prints the summary.
var positional = new List<string>();
var gate = new MotionGateOptions { Enabled = true };
var thresholds = new List<double> { gate.Threshold };
var outDir = ".";
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--thresholds": thresholds = [.. args[++i].Split(',').Select(t => double.Parse(t, CultureInfo.InvariantCulture))]; break;
        case "--pixel-delta": gate.PixelDelta = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--max-skip": gate.MaxSkipSeconds = double.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--out": outDir = args[++i]; break;
        default: positional.Add(args[i]); break;
    }
}

if (positional.Count < 1)
{
    Console.Error.WriteLine("usage: StreamAnalytics.GateReplay PED2_DIR [NORMAL_VIDEO...] [--thresholds F,F] [--pixel-delta N] [--max-skip S] [--out DIR]");
    return 2;
}

var ped2 = positional[0];
var normal = positional.Skip(1).ToList();
var labels = AnomalyLabels.Load(Path.Combine(ped2, "test", "labels.json")).ToDictionary(l => l.Name, StringComparer.Ordinal);
var train = Directory.GetFiles(Path.Combine(ped2, "train"), "*.mp4").Order(StringComparer.Ordinal).ToList();
var test = labels.Keys.Order(StringComparer.Ordinal).Select(n => Path.Combine(ped2, "test", n)).ToList();
using var model = OnnxModel.Load(ModelManifestLoader.Load(Path.Combine(AppContext.BaseDirectory, "models/resnet18/model.json")), "cpu", 0, 0, 8, NullLogger.Instance);
Console.WriteLine($"gate: Threshold {string.Join(" / ", thresholds)}, PixelDelta {gate.PixelDelta}, MaxSkipSeconds {gate.MaxSkipSeconds}; window T=8 subsample 2 hop 4, 10 fps");

var runs = new Dictionary<string, List<WindowRecord>>();
var settings = new List<(string Name, MotionGateOptions? Options)> { ("off", null) };
settings.AddRange(thresholds.Select(t => (string.Create(CultureInfo.InvariantCulture, $"on-{t}"), (MotionGateOptions?)new MotionGateOptions { Enabled = true, Threshold = t, PixelDelta = gate.PixelDelta, MaxSkipSeconds = gate.MaxSkipSeconds })));
foreach (var (name, options) in settings)
{
    var started = System.Diagnostics.Stopwatch.StartNew();
    var run = new ReplayRun(model, options);
    await run.RunAsync("ped2", [.. train, .. test], fps: 10).ConfigureAwait(false);
    foreach (var video in normal)
    {
        await run.RunAsync(Path.GetFileNameWithoutExtension(video), [video], fps: 10).ConfigureAwait(false);
    }

    runs[name] = run.Windows;
    await File.WriteAllLinesAsync(Path.Combine(outDir, $"windows-{name}.csv"),
        ["camera,video,first_frame,last_frame,gated,change,score,above", .. run.Windows.Select(w => string.Create(CultureInfo.InvariantCulture, $"{w.Camera},{w.Video},{w.FirstFrame},{w.LastFrame},{(w.Gated ? 1 : 0)},{w.Change:0.#####},{w.Score:0.#####},{(w.Above ? 1 : 0)}"))]).ConfigureAwait(false);
    Console.WriteLine($"gate {name}: {run.Windows.Count} windows in {started.Elapsed.TotalSeconds:0} s");
}

bool Overlaps(WindowRecord w) => labels.TryGetValue(w.Video, out var l) && l.AnomalousRanges.Any(r => w.FirstFrame <= r.Last && w.LastFrame >= r.First);
bool IsTest(WindowRecord w) => w.Camera == "ped2" && labels.ContainsKey(w.Video);

foreach (var (name, windows) in runs)
{
    Console.WriteLine($"== gate {name}");
    foreach (var group in windows.GroupBy(w => w.Camera != "ped2" ? $"{w.Video} (normal)" : IsTest(w) ? "Ped2 test" : "Ped2 train (normal)"))
    {
        var gated = group.Count(w => w.Gated);
        Console.WriteLine($"  {group.Key}: {group.Count()} windows, {gated} gated ({100.0 * gated / group.Count():0.0}%), {group.Count(w => w.Score is not null)} with an appearance verdict (none while it learns)");
    }

    var scored = windows.Where(w => IsTest(w) && w.Score is not null).ToList();
    var windowAuc = RocAuc.Compute([.. scored.Select(w => w.Score!.Value)], [.. scored.Select(Overlaps)]);

    // Frame level: each frame takes the highest score of the windows that span it.
    var frameScores = new List<double>();
    var framePositive = new List<bool>();
    foreach (var (video, label) in labels)
    {
        var mine = scored.Where(w => w.Video == video).ToList();
        for (var f = 1; f <= label.Frames; f++)
        {
            var covering = mine.Where(w => w.FirstFrame <= f && w.LastFrame >= f).ToList();
            if (covering.Count > 0)
            {
                frameScores.Add(covering.Max(w => w.Score!.Value));
                framePositive.Add(label.IsAnomalous(f));
            }
        }
    }

    var frameAuc = RocAuc.Compute([.. frameScores], [.. framePositive]);
    var segments = labels.Values.SelectMany(l => l.AnomalousRanges.Select(r => (l.Name, r.First, r.Last))).ToList();
    var found = segments.Count(s => windows.Any(w => w.Video == s.Name && w.Above && w.FirstFrame <= s.Last && w.LastFrame >= s.First));
    var flaggedAnomalous = scored.Count(w => w.Above && Overlaps(w));
    var flaggedNormal = scored.Count(w => w.Above && !Overlaps(w));
    var gatedAnomalous = windows.Count(w => IsTest(w) && w.Gated && Overlaps(w));
    Console.WriteLine($"  Ped2 test appearance head: window AUC {windowAuc:0.000}, frame AUC {frameAuc:0.000}, event recall {found}/{segments.Count}, windows flagged: {flaggedAnomalous} anomalous, {flaggedNormal} normal; gated windows overlapping an anomaly: {gatedAnomalous}");
}

// The gate must not gate a window that overlaps an anomaly that the ungated pipeline flags.
var off = runs["off"].ToDictionary(w => (w.Camera, w.Video, w.LastFrame));
foreach (var (name, _) in settings.Skip(1))
{
    var on = runs[name];
    var gatedFlagged = on.Count(w => w.Gated && Overlaps(w) && off.TryGetValue((w.Camera, w.Video, w.LastFrame), out var o) && o.Above);
    var costly = on.Count(w => w.Gated && Overlaps(w) && off.TryGetValue((w.Camera, w.Video, w.LastFrame), out var o) && o.Above && !w.Above);
    var lostSegments = labels.Values.SelectMany(l => l.AnomalousRanges.Select(r => (l.Name, r.First, r.Last)))
        .Count(s => runs["off"].Any(w => w.Video == s.Name && w.Above && w.FirstFrame <= s.Last && w.LastFrame >= s.First)
            && !on.Any(w => w.Video == s.Name && w.Above && w.FirstFrame <= s.Last && w.LastFrame >= s.First));
    Console.WriteLine($"gate {name}: gated windows on an anomaly the ungated run flags: {gatedFlagged}, of which reported normal: {costly}; segments found off and lost on: {lostSegments}");
}

return 0;
