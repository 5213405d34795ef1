using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Heads.Action;
using StreamAnalytics.Inference;
using StreamAnalytics.Ingest;

namespace StreamAnalytics.Tools.Actions;

/// <summary>
/// The offline verbs of the supervised action head: <c>features action</c> (the head's training data),
/// <c>score action</c> and <c>eval action</c>. Each takes its parsed options and returns an exit code
/// (<see cref="ExitCodes"/>: 0 done, 1 failed while running, 2 invalid model, manifest or inputs). Clips are decoded by
/// the product's ffmpeg ingest and encoded by the product's backbone (<see cref="ClipEmbedder"/>), and
/// features come from <see cref="ClipFeatureRecipe"/>, the code the live pipeline runs, so training,
/// offline scoring and a camera all see the same numbers. Everything runs on CPU and is deterministic.
/// Results go to <c>output</c>; progress and problems to <c>error</c> and the log.
/// </summary>
internal static partial class ActionCommands
{
    /// <summary>The shipped ResNet-18 with its last feature map exposed: what <see cref="ClipFeatureRecipe.TemporalStatsV1"/> reads.</summary>
    public const string DefaultBackbone = "models/resnet18/model-featuremap.json";

    /// <summary>T when <c>features action</c> is not told otherwise: 32 beat 16 by ~0.02 accuracy in the study.</summary>
    public const int DefaultFrames = 32;

    /// <summary>The largest T <c>features action</c> accepts.</summary>
    public const int MaximumFrames = 1024;

    private const int BackboneBatch = 16;

    /// <summary><c>features action --manifest CLIPS.csv --out FEATURES.csv [--frames T] [--backbone MANIFEST]</c></summary>
    public static async Task<int> FeaturesActionAsync(FeaturesActionRequest request, TextWriter output, TextWriter error, ILoggerFactory loggers, CancellationToken cancellationToken = default)
    {
        var frames = request.Frames;
        if (frames < ClipFeatureRecipe.MinimumFrames || frames > MaximumFrames)
        {
            return await OfflineConsole.InvalidAsync(error, $"--frames must be a whole number from {ClipFeatureRecipe.MinimumFrames} to {MaximumFrames} (got '{frames}').").ConfigureAwait(false);
        }

        List<LabelledClip> clips;
        try
        {
            clips = ClipManifest.Load(request.ManifestPath);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return await OfflineConsole.InvalidAsync(error, ex.Message).ConfigureAwait(false);
        }

        var logger = loggers.CreateLogger(OfflineConsole.LogCategory);
        if (!TryLoadBackbone(request.Backbone, request.Precision, logger, error, out var backbone, out var recipe, ClipFeatureRecipe.TemporalStatsV1))
        {
            return ExitCodes.InvalidInput;
        }

        var outPath = Path.GetFullPath(request.FeaturesPath);
        var metaPath = Path.ChangeExtension(outPath, ".json");

        // Written aside and moved into place at the end, so that a failed run never leaves a partial file
        // that looks complete (train.sh reuses a features file it finds).
        var partialPath = outPath + ".partial";
        var clock = Stopwatch.StartNew();
        try
        {
            using (backbone)
            using (var embedder = new ClipEmbedder(backbone, loggers.CreateLogger<CameraReader>()))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
                var features = new float[recipe.FeatureLength];
                var encoded = 0L;
                string[] viewNames = [];
                var csv = new StreamWriter(partialPath, append: false, new UTF8Encoding(false));
                await using (csv.ConfigureAwait(false))
                {
                    var header = new StringBuilder("path,label,view");
                    for (var i = 0; i < recipe.FeatureLength; i++)
                    {
                        header.Append(",f").Append(i.ToString(CultureInfo.InvariantCulture));
                    }

                    await csv.WriteLineAsync(header.ToString()).ConfigureAwait(false);
                    for (var c = 0; c < clips.Count; c++)
                    {
                        var clip = clips[c];
                        var embedded = await embedder.EmbedAsync(clip.FullPath, frames, mirrored: true, cancellationToken).ConfigureAwait(false);
                        encoded += embedded.EncodedFrames;
                        viewNames = [.. embedded.Views.Select(v => v.Name)];
                        var row = new StringBuilder();
                        foreach (var view in embedded.Views)
                        {
                            recipe.Compute(view.Frames, features);
                            row.Clear().Append(clip.Path).Append(',').Append(clip.Label).Append(',').Append(view.Name);
                            foreach (var value in features)
                            {
                                row.Append(',').Append(value.ToString(CultureInfo.InvariantCulture));
                            }

                            await csv.WriteLineAsync(row.ToString()).ConfigureAwait(false);
                        }

                        LogClipEncoded(logger, c + 1, clips.Count, clip.Path, embedded.DecodedFrames, embedded.EncodedFrames, embedded.Seconds);
                    }
                }

                File.Move(partialPath, outPath, overwrite: true);
                var seconds = clock.Elapsed.TotalSeconds;
                var description = FeaturesDescription(backbone.Manifest, recipe, frames, viewNames, clips, seconds, encoded);
                await File.WriteAllBytesAsync(metaPath, JsonSerializer.SerializeToUtf8Bytes(description, ToolReportJsonContext.Default.ClipFeaturesDescription), cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"Wrote {clips.Count} clips x {viewNames.Length} views of {recipe.FeatureLength} '{recipe.Id}' features (T = {frames}) to {outPath} in {seconds:0.0} s ({1000 * seconds / clips.Count:0} ms per clip); described in {metaPath}")).ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        }
        catch (Exception ex) when (ex is VideoSourceException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            await error.WriteLineAsync($"features action failed: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        finally
        {
            // Still there only when the run failed or was cancelled.
            if (File.Exists(partialPath))
            {
                File.Delete(partialPath);
            }
        }
    }

    /// <summary><c>score action --model MANIFEST --input VIDEO --out CSV [--backbone MANIFEST]</c></summary>
    public static async Task<int> ScoreActionAsync(ScoreActionRequest request, TextWriter output, TextWriter error, ILoggerFactory loggers, CancellationToken cancellationToken = default)
    {
        var video = request.VideoPath;
        if (!File.Exists(video))
        {
            return await OfflineConsole.InvalidAsync(error, $"--input '{Path.GetFullPath(video)}' does not exist.").ConfigureAwait(false);
        }

        var logger = loggers.CreateLogger(OfflineConsole.LogCategory);
        if (!TryLoadHead(request.ModelPath, request.Backbone, request.Precision, logger, error, out var backbone, out var head))
        {
            return ExitCodes.InvalidInput;
        }

        try
        {
            using (backbone)
            using (head)
            using (var embedder = new ClipEmbedder(backbone, loggers.CreateLogger<CameraReader>()))
            {
                var (probabilities, embedded) = await ScoreClipAsync(embedder, head, video, cancellationToken).ConfigureAwait(false);
                var csv = new StringBuilder("label,probability\n");
                for (var i = 0; i < head.Labels.Count; i++)
                {
                    csv.Append(head.Labels[i]).Append(',').Append(probabilities[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
                }

                var outPath = Path.GetFullPath(request.CsvPath);
                Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
                await File.WriteAllTextAsync(outPath, csv.ToString(), cancellationToken).ConfigureAwait(false);
                var summary = string.Join(", ", head.Labels.Select((l, i) => string.Create(CultureInfo.InvariantCulture, $"{l} {probabilities[i]:0.0000}")));
                await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{summary} ({embedded.Views.Count} views of {embedded.DecodedFrames} decoded frames, {embedded.Seconds:0.00} s); wrote {outPath}")).ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        }
        catch (Exception ex) when (ex is VideoSourceException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            await error.WriteLineAsync($"score action failed: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
    }

    /// <summary>
    /// <c>eval action --model MANIFEST (--manifest CLIPS.csv | --features FEATURES.csv) [--report OUT.json] [--backbone MANIFEST]</c>
    /// (the report defaults to <c>eval-action.json</c> in the working folder). With <c>--features</c> the
    /// head is applied to rows written by <c>features action</c>, without decoding: the quick way to check
    /// an exported head against the features it was trained on.
    /// </summary>
    public static async Task<int> EvalActionAsync(EvalActionRequest request, TextWriter output, TextWriter error, ILoggerFactory loggers, CancellationToken cancellationToken = default)
    {
        if (request.ManifestPath is null == request.FeaturesPath is null)
        {
            return await OfflineConsole.InvalidAsync(error, EvalActionRequest.OneSourceRule).ConfigureAwait(false);
        }

        var reportPath = Path.GetFullPath(request.ReportPath);
        var logger = loggers.CreateLogger(OfflineConsole.LogCategory);
        List<LabelledClip>? clips = null;
        if (request.ManifestPath is { } manifestPath)
        {
            try
            {
                clips = ClipManifest.Load(manifestPath);
            }
            catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
            {
                return await OfflineConsole.InvalidAsync(error, ex.Message).ConfigureAwait(false);
            }
        }
        else if (!File.Exists(request.FeaturesPath))
        {
            return await OfflineConsole.InvalidAsync(error, $"--features '{Path.GetFullPath(request.FeaturesPath!)}' does not exist.").ConfigureAwait(false);
        }

        if (!TryLoadHead(request.ModelPath, request.Backbone, request.Precision, logger, error, out var backbone, out var head))
        {
            return ExitCodes.InvalidInput;
        }

        using (backbone)
        using (head)
        {
            var results = new List<ClipResult>();
            var clock = Stopwatch.StartNew();
            string source;
            try
            {
                if (clips is not null)
                {
                    source = Path.GetFullPath(request.ManifestPath!);
                    if (UnknownLabels(clips.Select(c => c.Label), head) is { } unknown)
                    {
                        return await OfflineConsole.InvalidAsync(error, unknown).ConfigureAwait(false);
                    }

                    using var embedder = new ClipEmbedder(backbone, loggers.CreateLogger<CameraReader>());
                    for (var c = 0; c < clips.Count; c++)
                    {
                        var (probabilities, embedded) = await ScoreClipAsync(embedder, head, clips[c].FullPath, cancellationToken).ConfigureAwait(false);
                        results.Add(new ClipResult(clips[c].Path, clips[c].Label, probabilities, embedded.Views.Count));
                        LogClipScored(logger, c + 1, clips.Count, clips[c].Path, clips[c].Label, head.Labels[ArgMax(probabilities)], embedded.Seconds);
                    }
                }
                else
                {
                    source = Path.GetFullPath(request.FeaturesPath!);
                    results = FeatureRowsToResults(source, head, out var problem);
                    if (problem is not null)
                    {
                        return await OfflineConsole.InvalidAsync(error, problem).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception ex) when (ex is VideoSourceException or IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                await error.WriteLineAsync($"eval action failed: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Failed;
            }

            var seconds = clock.Elapsed.TotalSeconds;
            var labels = head.Labels;
            var confusion = new int[labels.Count, labels.Count];
            foreach (var r in results)
            {
                confusion[IndexOf(labels, r.Label), ArgMax(r.Probabilities)]++;
            }

            var correct = Enumerable.Range(0, labels.Count).Sum(i => confusion[i, i]);
            var accuracy = (double)correct / results.Count;
            var text = new StringBuilder();
            text.Append(CultureInfo.InvariantCulture, $"Accuracy {accuracy:0.0000} ({correct}/{results.Count} clips) of head '{head.Manifest.Name}' {head.Manifest.Version} on {source}").AppendLine();
            text.AppendLine("Confusion matrix (rows: true label, columns: predicted):");
            var width = Math.Max(8, labels.Max(l => l.Length) + 2);
            text.Append(new string(' ', width));
            foreach (var label in labels)
            {
                text.Append(label.PadLeft(width));
            }

            text.AppendLine();
            for (var i = 0; i < labels.Count; i++)
            {
                text.Append(labels[i].PadRight(width));
                for (var j = 0; j < labels.Count; j++)
                {
                    text.Append(confusion[i, j].ToString(CultureInfo.InvariantCulture).PadLeft(width));
                }

                text.AppendLine();
            }

            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(reportPath)!);
                var report = EvalReport(head, backbone, source, results, confusion, accuracy, seconds);
                await File.WriteAllBytesAsync(reportPath, JsonSerializer.SerializeToUtf8Bytes(report, ToolReportJsonContext.Default.ActionEvalReport), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await error.WriteLineAsync($"eval action failed: the report cannot be written: {ex.Message}").ConfigureAwait(false);
                return ExitCodes.Failed;
            }

            text.Append(CultureInfo.InvariantCulture, $"{1000 * seconds / results.Count:0} ms per clip; report: {reportPath}");
            await output.WriteLineAsync(text.ToString()).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
    }

    /// <summary>The clip's probabilities: the mean over its views (original and mirrored) of the head's softmax.</summary>
    private static async Task<(float[] Probabilities, EmbeddedClip Embedded)> ScoreClipAsync(ClipEmbedder embedder, ActionHead head, string video, CancellationToken cancellationToken)
    {
        var embedded = await embedder.EmbedAsync(video, head.Frames, mirrored: true, cancellationToken).ConfigureAwait(false);
        var views = new List<float[]>(embedded.Views.Count);
        foreach (var view in embedded.Views)
        {
            var features = new float[head.Recipe.FeatureLength];
            head.Recipe.Compute(view.Frames, features);
            views.Add(features);
        }

        return (head.MeanProbabilities(views), embedded);
    }

    /// <summary>Rows of a <c>features action</c> file, grouped by clip in file order; each clip's probabilities are the mean over its rows (views).</summary>
    private static List<ClipResult> FeatureRowsToResults(string path, ActionHead head, out string? problem)
    {
        problem = null;
        var results = new List<ClipResult>();
        using var reader = new StreamReader(path);
        var header = reader.ReadLine() ?? string.Empty;
        var columns = header.Split(',');
        if (columns.Length < 4 || columns[0] != "path" || columns[1] != "label" || columns[2] != "view")
        {
            problem = $"'{path}' is not a features file: its header must start with path,label,view.";
            return results;
        }

        if (columns.Length - 3 != head.Recipe.FeatureLength)
        {
            problem = $"'{path}' holds {columns.Length - 3} features per row but head '{head.Manifest.ManifestPath}' takes {head.Recipe.FeatureLength} ('{head.Recipe.Id}').";
            return results;
        }

        string? currentPath = null;
        var currentLabel = string.Empty;
        var views = new List<float[]>();
        var lineNumber = 1;
        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            var fields = line.Split(',');
            if (fields.Length != columns.Length)
            {
                problem = $"'{path}' line {lineNumber}: {fields.Length} fields, the header has {columns.Length}.";
                return results;
            }

            if (fields[0] != currentPath)
            {
                Close();
                currentPath = fields[0];
                currentLabel = fields[1];
                if (UnknownLabels([currentLabel], head) is { } unknown)
                {
                    problem = unknown;
                    return results;
                }
            }

            var features = new float[head.Recipe.FeatureLength];
            for (var i = 0; i < features.Length; i++)
            {
                if (!float.TryParse(fields[i + 3], NumberStyles.Float, CultureInfo.InvariantCulture, out features[i]))
                {
                    problem = $"'{path}' line {lineNumber}: '{fields[i + 3]}' is not a number.";
                    return results;
                }
            }

            views.Add(features);
        }

        Close();
        if (results.Count == 0)
        {
            problem = $"'{path}' holds no feature rows.";
        }

        return results;

        void Close()
        {
            if (currentPath is not null && views.Count > 0)
            {
                results.Add(new ClipResult(currentPath, currentLabel, head.MeanProbabilities(views), views.Count));
            }

            views = [];
        }
    }

    private static string? UnknownLabels(IEnumerable<string> labels, ActionHead head)
    {
        var unknown = labels.Where(l => !head.Labels.Contains(l, StringComparer.Ordinal)).Distinct(StringComparer.Ordinal).ToList();
        return unknown.Count == 0 ? null
            : $"labels {string.Join(", ", unknown.Select(l => $"'{l}'"))} are not among the labels of head '{head.Manifest.ManifestPath}' ({string.Join(", ", head.Labels)}).";
    }

    /// <summary>Loads the backbone named by <c>--backbone</c> (or the default) and binds <paramref name="recipeId"/> to its outputs.</summary>
    private static bool TryLoadBackbone(string backbonePath, string precision, ILogger logger, TextWriter error, out OnnxModel backbone, out ClipFeatureRecipe recipe, string recipeId)
    {
        backbone = null!;
        recipe = null!;
        try
        {
            backbone = OnnxModel.Load(ResolveManifest(backbonePath).WithPrecision(precision), "cpu", 0, 0, BackboneBatch, logger);
            recipe = ClipFeatureRecipe.ForBackbone(recipeId, backbone.Manifest, backbone.OutputItemSizes);
            return true;
        }
        catch (ModelManifestException ex)
        {
            backbone?.Dispose();
            error.WriteLine(ex.Message);
            return false;
        }
    }

    private static bool TryLoadHead(string modelPath, string backbonePath, string precision, ILogger logger, TextWriter error, out OnnxModel backbone, out ActionHead head)
    {
        backbone = null!;
        head = null!;
        ModelManifest headManifest;
        try
        {
            headManifest = ModelManifestLoader.Load(ConfiguredPath.Resolve(modelPath));
        }
        catch (ModelManifestException ex)
        {
            error.WriteLine(ex.Message);
            return false;
        }

        if (headManifest.Input.Features is not { } features)
        {
            error.WriteLine($"Model manifest '{headManifest.ManifestPath}' is not an action head: its input layout is {headManifest.Input.Layout.ToString().ToUpperInvariant()}, not 'features'.");
            return false;
        }

        if (!TryLoadBackbone(backbonePath, precision, logger, error, out backbone, out _, features.Recipe))
        {
            return false;
        }

        try
        {
            head = ActionHead.Load(headManifest, backbone, "cpu", 0, 0, 1, logger);
            return true;
        }
        catch (ModelManifestException ex)
        {
            backbone.Dispose();
            error.WriteLine(ex.Message);
            return false;
        }
    }

    /// <summary>
    /// A relative manifest path is tried against the install folder, then the working folder (the order of
    /// <see cref="ConfiguredPath.Resolve"/>), and the first that loads wins: a manifest that exists but
    /// whose ONNX file does not (a source checkout's models/resnet18, whose ResNet-18 file only the build
    /// output holds) does not end the search.
    /// </summary>
    private static ModelManifest ResolveManifest(string path)
    {
        string[] candidates = Path.IsPathRooted(path) ? [path] : [Path.Combine(AppContext.BaseDirectory, path), Path.GetFullPath(path)];
        ModelManifestException? first = null;
        foreach (var candidate in candidates.Distinct(StringComparer.Ordinal))
        {
            try
            {
                return ModelManifestLoader.Load(candidate);
            }
            catch (ModelManifestException ex)
            {
                first ??= ex;
            }
        }

        throw first!;
    }

    private static int ArgMax(float[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            best = values[i] > values[best] ? i : best;
        }

        return best;
    }

    private static int IndexOf(IReadOnlyList<string> labels, string label)
    {
        for (var i = 0; i < labels.Count; i++)
        {
            if (labels[i] == label)
            {
                return i;
            }
        }

        throw new InvalidOperationException($"label '{label}' is not one of the head's labels");
    }

    private static ClipFeaturesDescription FeaturesDescription(ModelManifest backbone, ClipFeatureRecipe recipe, int frames, string[] views, List<LabelledClip> clips, double seconds, long encoded)
    {
        var clipsPerLabel = new OrderedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var group in clips.GroupBy(c => c.Label, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            clipsPerLabel.Add(group.Key, group.Count());
        }

        return new ClipFeaturesDescription(
            recipe.Id,
            frames,
            recipe.FeatureLength,
            new FeatureBackbone(backbone.Name, backbone.Version, backbone.ManifestPath, recipe.Channels, recipe.Cells, Path.GetFileName(backbone.ModelPath)),
            views,
            clips.Count,
            clipsPerLabel,
            Math.Round(seconds, 1),
            Math.Round(1000 * seconds / clips.Count, 1),
            Math.Round((double)encoded / clips.Count, 1));
    }

    private static ActionEvalReport EvalReport(ActionHead head, OnnxModel backbone, string source, List<ClipResult> results, int[,] confusion, double accuracy, double seconds)
    {
        var labels = head.Labels;
        var perLabel = new List<LabelRecall>(labels.Count);
        var rows = new List<int[]>(labels.Count);
        for (var i = 0; i < labels.Count; i++)
        {
            var row = new int[labels.Count];
            for (var j = 0; j < labels.Count; j++)
            {
                row[j] = confusion[i, j];
            }

            rows.Add(row);
            var total = row.Sum();
            perLabel.Add(new LabelRecall(labels[i], total, confusion[i, i], total > 0 ? (double)confusion[i, i] / total : null));
        }

        var clips = results.Select(r =>
        {
            var probabilities = new OrderedDictionary<string, float>(StringComparer.Ordinal);
            for (var i = 0; i < labels.Count; i++)
            {
                probabilities.Add(labels[i], r.Probabilities[i]);
            }

            return new ClipPrediction(r.Path, r.Label, labels[ArgMax(r.Probabilities)], r.Views, probabilities);
        });
        return new ActionEvalReport(
            new EvaluatedHead(head.Manifest.Name, head.Manifest.Version, head.Manifest.ManifestPath, head.Recipe.Id, head.Frames),
            new ModelIdentity(backbone.Manifest.Name, backbone.Manifest.Version, backbone.Manifest.ManifestPath),
            source,
            results.Count,
            accuracy,
            labels,
            rows,
            perLabel,
            Math.Round(1000 * seconds / results.Count, 1),
            [.. clips]);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "[{Index}/{Count}] {Clip}: {Decoded} frames decoded, {Encoded} encoded (x2 mirrored) in {Seconds:0.00} s")]
    private static partial void LogClipEncoded(ILogger logger, int index, int count, string clip, int decoded, int encoded, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "[{Index}/{Count}] {Clip}: {Label} scored as {Predicted} in {Seconds:0.00} s")]
    private static partial void LogClipScored(ILogger logger, int index, int count, string clip, string label, string predicted, double seconds);

    private sealed record ClipResult(string Path, string Label, float[] Probabilities, int Views);
}
