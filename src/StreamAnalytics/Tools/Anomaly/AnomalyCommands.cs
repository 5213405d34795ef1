using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Detection;
using StreamAnalytics.Heads.Motion;
using StreamAnalytics.Ingest;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tools.Anomaly;

/// <summary>
/// The offline verbs of the motion anomaly head: <c>learn</c>, <c>score anomaly</c> and <c>eval anomaly</c>.
/// Each takes its parsed options and returns an exit code (<see cref="ExitCodes"/>: 0 done, 1 failed while
/// running, 2 invalid state, labels or inputs). Videos are decoded by the product's own ffmpeg ingest and
/// scored by <see cref="MotionAnomalyHead"/>, as the live pipeline does, so the numbers these commands
/// report are the numbers a camera would produce. Results go to <c>output</c>; progress and
/// problems to <c>error</c> and the log, so the output can be piped.
/// </summary>
internal static partial class AnomalyCommands
{
    private static readonly string[] VideoExtensions = [".mp4", ".avi"];

    /// <summary><c>learn --out STATE --input FILE_OR_DIR... [--camera ID]</c></summary>
    public static async Task<int> LearnAsync(LearnRequest request, TextWriter output, TextWriter error, ILoggerFactory loggers, CancellationToken cancellationToken = default)
    {
        var cameraId = request.CameraId;
        if (!CameraIdRule.IsValid(cameraId))
        {
            return await OfflineConsole.InvalidAsync(error, $"--camera '{cameraId}' must be 1 to 64 letters, digits, '-' or '_'.").ConfigureAwait(false);
        }

        List<string> videos;
        try
        {
            videos = ExpandInputs(request.Inputs);
        }
        catch (FileNotFoundException ex)
        {
            return await OfflineConsole.InvalidAsync(error, ex.Message).ConfigureAwait(false);
        }

        var logger = loggers.CreateLogger(OfflineConsole.LogCategory);
        var readerLogger = loggers.CreateLogger<CameraReader>();
        var featureOptions = new MotionFeatureOptions { MaxFps = request.MaxFps };
        var learning = new MotionNormalityOptions();
        var perVideo = new List<IReadOnlyList<float[]>>();
        var clock = Stopwatch.StartNew();
        try
        {
            using var extractor = new MotionFeatureExtractor(featureOptions);
            var buffer = new float[extractor.FeatureLength];
            foreach (var video in videos)
            {
                var started = Stopwatch.GetTimestamp();
                extractor.Reset();
                var frames = new List<float[]>();
                var decoded = await OfflineVideo.DecodeAsync(video, frame =>
                {
                    if (!extractor.Admit(frame.CaptureTime))
                    {
                        return;
                    }

                    var hasMotion = extractor.HasPrevious;
                    extractor.Process(frame, buffer);
                    if (hasMotion)
                    {
                        frames.Add(buffer.ToArray());
                    }
                }, readerLogger, cancellationToken).ConfigureAwait(false);
                perVideo.Add(frames);
                LogVideoRead(logger, video, decoded, Stopwatch.GetElapsedTime(started).TotalSeconds);
            }

            var model = MotionNormalityLearner.Learn(perVideo, featureOptions, learning, cameraId, DateTimeOffset.UtcNow);
            MotionStateFile.Save(model, request.StatePath);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Learned camera '{cameraId}' from {model.TrainingVideos} videos ({model.TrainingFrames} frames with motion, {model.Frames} kept) in {clock.Elapsed.TotalSeconds:0.0} s.")).ConfigureAwait(false);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Threshold {model.Threshold:0.####}: the {model.ThresholdQuantile:0.###} quantile of held-out training scores ({model.HoldOutGroups} blocks, {model.SmoothingFrames}-frame trailing mean).")).ConfigureAwait(false);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Model: {featureOptions.CellCount} cells x {featureOptions.FeaturesPerCell} features, {model.MemoryBytes / 1048576.0:0.0} MiB; wrote {Path.GetFullPath(request.StatePath)}")).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (Exception ex) when (ex is VideoSourceException or IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            await error.WriteLineAsync($"learn failed: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return await CancelledAsync(error).ConfigureAwait(false);
        }
    }

    /// <summary><c>score anomaly --state STATE --input VIDEO --out CSV</c></summary>
    public static async Task<int> ScoreAnomalyAsync(ScoreAnomalyRequest request, TextWriter output, TextWriter error, ILoggerFactory loggers, CancellationToken cancellationToken = default)
    {
        if (!TryLoadModel(request.StatePath, out var model, out var problem))
        {
            return await OfflineConsole.InvalidAsync(error, problem).ConfigureAwait(false);
        }

        var logger = loggers.CreateLogger(OfflineConsole.LogCategory);
        try
        {
            var video = request.VideoPath;
            var scored = await ScoreVideoAsync(model, video, loggers.CreateLogger<CameraReader>(), cancellationToken).ConfigureAwait(false);
            var csv = new StringBuilder("frame,score\n");
            var above = 0;
            foreach (var s in scored.Scores)
            {
                csv.Append(s.Sequence.ToString(CultureInfo.InvariantCulture)).Append(',').Append(s.Score.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
                above += s.IsAnomalous ? 1 : 0;
            }

            var outPath = Path.GetFullPath(request.CsvPath);
            Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
            await File.WriteAllTextAsync(outPath, csv.ToString(), cancellationToken).ConfigureAwait(false);
            LogVideoRead(logger, video, scored.Scores.Count, scored.Seconds);
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"Scored {scored.Scores.Count} frames: max {scored.Scores.Max(s => s.Score):0.####}, {above} above the threshold {model.Threshold:0.####}; wrote {outPath}")).ConfigureAwait(false);
            return ExitCodes.Ok;
        }
        catch (Exception ex) when (ex is VideoSourceException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            await error.WriteLineAsync($"score anomaly failed: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return await CancelledAsync(error).ConfigureAwait(false);
        }
    }

    /// <summary><c>eval anomaly --state STATE --labels labels.json [--report OUT.json]</c> (the report defaults to <c>eval-anomaly.json</c> in the working folder).</summary>
    public static async Task<int> EvalAnomalyAsync(EvalAnomalyRequest request, TextWriter output, TextWriter error, ILoggerFactory loggers, CancellationToken cancellationToken = default)
    {
        var statePath = request.StatePath;
        var tuning = request.Tuning ?? AnomalyTuning.Default;
        if (tuning.Problem() is { } invalid)
        {
            return await OfflineConsole.InvalidAsync(error, invalid).ConfigureAwait(false);
        }

        var labelsPath = Path.GetFullPath(request.LabelsPath);
        var reportPath = Path.GetFullPath(request.ReportPath);
        if (!TryLoadModel(statePath, out var model, out var problem))
        {
            return await OfflineConsole.InvalidAsync(error, problem).ConfigureAwait(false);
        }

        IReadOnlyList<AnomalyVideoLabels> labels;
        try
        {
            labels = AnomalyLabels.Load(labelsPath);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            return await OfflineConsole.InvalidAsync(error, ex is FileNotFoundException ? $"labels file '{labelsPath}' does not exist." : ex.Message).ConfigureAwait(false);
        }

        double? fps;
        try
        {
            fps = AnomalyLabels.Fps(labelsPath);
        }
        catch (InvalidDataException ex)
        {
            return await OfflineConsole.InvalidAsync(error, ex.Message).ConfigureAwait(false);
        }

        var logger = loggers.CreateLogger(OfflineConsole.LogCategory);
        var readerLogger = loggers.CreateLogger<CameraReader>();
        var folder = Path.GetDirectoryName(labelsPath)!;
        var results = new List<VideoResult>();
        try
        {
            foreach (var video in labels)
            {
                var path = Path.Combine(folder, video.Name);
                var scored = await ScoreVideoAsync(model, path, readerLogger, cancellationToken, tuning.Scoring).ConfigureAwait(false);
                if (scored.Scores.Count != video.Frames)
                {
                    await error.WriteLineAsync($"eval anomaly failed: '{path}' decoded to {scored.Scores.Count} frames but the labels say {video.Frames}; frame numbers would not line up.").ConfigureAwait(false);
                    return ExitCodes.Failed;
                }

                LogVideoRead(logger, path, scored.Scores.Count, scored.Seconds);
                results.Add(new VideoResult(video, scored));
            }
        }
        catch (Exception ex) when (ex is VideoSourceException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            await error.WriteLineAsync($"eval anomaly failed: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return await CancelledAsync(error).ConfigureAwait(false);
        }

        var summary = Summarise(results);
        await output.WriteLineAsync(FormatSummary(summary, results)).ConfigureAwait(false);
        var events = fps is { } rate ? Events(results, rate, tuning) : null;
        await output.WriteLineAsync(events is null
            ? "Events: not computed (labels.json has no \"fps\" to turn frames into time)."
            : FormatEvents(events)).ConfigureAwait(false);
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(reportPath)!);
            var report = Report(statePath, labelsPath, model, summary, results) with { Events = events };
            await File.WriteAllBytesAsync(reportPath, JsonSerializer.SerializeToUtf8Bytes(report, ToolReportJsonContext.Unescaped.AnomalyEvalReport), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"eval anomaly: the report could not be written: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        await output.WriteLineAsync($"Report: {reportPath}").ConfigureAwait(false);
        return ExitCodes.Ok;
    }

    private static async Task<ScoredVideo> ScoreVideoAsync(MotionNormalityModel model, string video, ILogger<CameraReader> readerLogger, CancellationToken cancellationToken, MotionScoring? scoring = null)
    {
        using var head = new MotionAnomalyHead(model, scoring);
        var scores = new List<FrameHeadScore>();
        long ticks = 0;
        await OfflineVideo.DecodeAsync(video, frame =>
        {
            var started = Stopwatch.GetTimestamp();
            scores.Add(head.Process(frame));
            ticks += Stopwatch.GetTimestamp() - started;
        }, readerLogger, cancellationToken).ConfigureAwait(false);
        return new ScoredVideo(scores, (double)ticks / Stopwatch.Frequency);
    }

    private static EvalSummary Summarise(List<VideoResult> results)
    {
        var scores = results.SelectMany(r => r.Scored.Scores.Select(s => s.Score)).ToArray();
        var raw = results.SelectMany(r => r.Scored.Scores.Select(s => s.RawScore)).ToArray();
        var truth = results.SelectMany(r => r.Scored.Scores.Select(s => r.Labels.IsAnomalous(s.Sequence))).ToArray();
        var anomalous = results.SelectMany(r => r.Scored.Scores.Select(s => s.IsAnomalous)).ToArray();
        var positives = truth.Count(t => t);
        var negatives = truth.Length - positives;
        var truePositives = 0;
        var falsePositives = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            // The threshold the head applied (the learned one over the sensitivity).
            if (anomalous[i])
            {
                _ = truth[i] ? truePositives++ : falsePositives++;
            }
        }

        return new EvalSummary(
            RocAuc.Compute(scores, truth),
            RocAuc.Compute(raw, truth),
            truth.Length,
            positives,
            positives == 0 ? double.NaN : (double)truePositives / positives,
            negatives == 0 ? double.NaN : (double)falsePositives / negatives,
            results.Sum(r => r.Scored.Seconds) * 1000 / Math.Max(1, truth.Length));
    }

    private static AnomalyEventReport Events(List<VideoResult> results, double fps, AnomalyTuning tuning)
    {
        // What a camera gets with the shipped defaults: the live window schedule, lifecycle and cooldown.
        var defaults = new StreamAnalyticsOptions();
        var w = defaults.Window;
        var schedule = new WindowSchedule(w.Length, w.Subsample, w.Hop);
        var segments = 0;
        var detected = 0;
        var incidents = 0;
        var falseIncidents = 0;
        var normalFrames = 0;
        var toAlert = new List<double>();
        foreach (var r in results)
        {
            var replayed = IncidentReplay.Run(r.Scored.Scores, fps, schedule, tuning.Lifecycle(defaults.Detection.Lifecycle), defaults.Detection.Anomaly.CooldownSeconds);
            incidents += replayed.Count;
            falseIncidents += replayed.Count(i => !r.Labels.AnomalousRanges.Any(range => i.Overlaps(range.First, range.Last)));
            normalFrames += r.Scored.Scores.Count - r.Anomalous;
            foreach (var (first, last) in r.Labels.AnomalousRanges)
            {
                segments++;
                var hits = replayed.Where(i => i.Overlaps(first, last)).ToList();
                if (hits.Count > 0)
                {
                    detected++;
                    toAlert.Add(Math.Round(Math.Max(0, hits.Min(i => i.AlertFrame) - first) / fps, 2));
                }
            }
        }

        var normalSeconds = normalFrames / fps;
        return new AnomalyEventReport(
            string.Create(CultureInfo.InvariantCulture, $"{w.Length}/{w.Subsample}/{w.Hop}"),
            fps,
            segments,
            detected,
            toAlert,
            incidents,
            falseIncidents,
            Math.Round(normalSeconds, 1),
            normalSeconds > 0 ? Math.Round(falseIncidents * 3600 / normalSeconds, 1) : null);
    }

    private static string FormatEvents(AnomalyEventReport e)
    {
        var c = CultureInfo.InvariantCulture;
        var alert = e.SecondsToAlert.Count == 0 ? "n/a" : string.Create(c, $"median {Median(e.SecondsToAlert):0.0} s, max {e.SecondsToAlert.Max():0.0} s");
        var perHour = e.FalseIncidentsPerHour is { } h ? string.Create(c, $"{h:0.0} per hour") : "n/a";
        return string.Create(c, $"Events (window {e.Window}, default lifecycle, {e.Fps:0.##} fps): {e.SegmentsWithIncident} of {e.Segments} anomalous segments raised an incident; time to alert {alert}; {e.Incidents} incidents, {e.FalseIncidents} on normal footage only ({e.NormalSeconds:0.0} s of it: {perHour}).");

        static double Median(IReadOnlyList<double> values)
        {
            var sorted = values.Order().ToList();
            return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        }
    }

    private static string FormatSummary(EvalSummary summary, List<VideoResult> results)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"{"video",-16} {"frames",6} {"anomalous",9} {"AUC",7} {"AUC raw",7}");
        foreach (var r in results)
        {
            text.AppendLine(c, $"{r.Labels.Name,-16} {r.Labels.Frames,6} {r.Anomalous,9} {Format(r.Auc),7} {Format(r.AucRaw),7}");
        }

        text.AppendLine(c, $"Micro (pooled) frame AUC: {Format(summary.MicroAuc)} (raw scores {Format(summary.MicroAucRaw)}) over {summary.Frames} frames, {summary.Anomalous} anomalous.");
        text.AppendLine(c, $"At the threshold applied (the learned one over --sensitivity): {Format(summary.TruePositiveRate)} of anomalous frames flagged, {Format(summary.FalsePositiveRate)} of normal frames flagged.");
        text.Append(c, $"Feature extraction and scoring: {summary.MillisecondsPerFrame:0.00} ms per frame.");
        return text.ToString();

        static string Format(double value) => double.IsNaN(value) ? "n/a" : value.ToString("0.0000", CultureInfo.InvariantCulture);
    }

    private static AnomalyEvalReport Report(string statePath, string labelsPath, MotionNormalityModel model, EvalSummary summary, List<VideoResult> results) => new(
        Path.GetFullPath(statePath),
        labelsPath,
        new AnomalyModelSummary(
            model.CameraId,
            model.CreatedAt,
            MotionNormalityModel.Describe(model.FeatureOptions),
            model.Frames,
            model.TrainingFrames,
            model.TrainingVideos,
            model.SmoothingFrames,
            model.ThresholdQuantile,
            model.Threshold,
            model.MemoryBytes),
        Defined(summary.MicroAuc),
        Defined(summary.MicroAucRaw),
        summary.Frames,
        summary.Anomalous,
        Defined(summary.TruePositiveRate),
        Defined(summary.FalsePositiveRate),
        Math.Round(summary.MillisecondsPerFrame, 3),
        [.. results.Select(r => new AnomalyVideoReport(
            r.Labels.Name,
            r.Labels.Frames,
            r.Anomalous,
            Defined(r.Auc),
            Defined(r.AucRaw),
            Defined(r.MeanScore(anomalous: false)),
            Defined(r.MeanScore(anomalous: true))))]);

    /// <summary>Undefined (e.g. AUC of a video whose frames are all anomalous) is null in the report, not zero and not NaN (which JSON lacks).</summary>
    private static double? Defined(double value) => double.IsNaN(value) ? null : value;

    internal static bool TryLoadModel(string path, out MotionNormalityModel model, out string problem)
    {
        model = null!;
        problem = string.Empty;
        try
        {
            model = MotionStateFile.Load(path);
            return true;
        }
        catch (FileNotFoundException)
        {
            problem = $"state file '{Path.GetFullPath(path)}' does not exist (create it with 'learn').";
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            problem = ex.Message;
        }

        return false;
    }

    /// <summary>Files as given; folders give their .mp4 and .avi files in ordinal name order (so learning is reproducible).</summary>
    internal static List<string> ExpandInputs(IEnumerable<string> inputs)
    {
        var files = new List<string>();
        foreach (var input in inputs)
        {
            if (Directory.Exists(input))
            {
                var found = Directory.EnumerateFiles(input)
                    .Where(f => VideoExtensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (found.Count == 0)
                {
                    throw new FileNotFoundException($"--input folder '{Path.GetFullPath(input)}' holds no .mp4 or .avi files.");
                }

                files.AddRange(found);
            }
            else if (File.Exists(input))
            {
                files.Add(input);
            }
            else
            {
                throw new FileNotFoundException($"--input '{Path.GetFullPath(input)}' is neither a file nor a folder.");
            }
        }

        return files;
    }

    /// <summary>Nothing is written when stopped early: a partial state or CSV would look complete.</summary>
    private static async Task<int> CancelledAsync(TextWriter error)
    {
        await error.WriteLineAsync("Cancelled.").ConfigureAwait(false);
        return ExitCodes.Failed;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Video}: {Frames} frames in {Seconds:0.00} s")]
    private static partial void LogVideoRead(ILogger logger, string video, long frames, double seconds);

    private sealed record ScoredVideo(List<FrameHeadScore> Scores, double Seconds);

    private sealed record EvalSummary(double MicroAuc, double MicroAucRaw, int Frames, int Anomalous, double TruePositiveRate, double FalsePositiveRate, double MillisecondsPerFrame);

    private sealed record VideoResult(AnomalyVideoLabels Labels, ScoredVideo Scored)
    {
        public int Anomalous => Scored.Scores.Count(s => Labels.IsAnomalous(s.Sequence));

        public double Auc => RocAuc.Compute(Scored.Scores.Select(s => s.Score).ToArray(), Scored.Scores.Select(s => Labels.IsAnomalous(s.Sequence)).ToArray());

        public double AucRaw => RocAuc.Compute(Scored.Scores.Select(s => s.RawScore).ToArray(), Scored.Scores.Select(s => Labels.IsAnomalous(s.Sequence)).ToArray());

        public double MeanScore(bool anomalous)
        {
            var selected = Scored.Scores.Where(s => Labels.IsAnomalous(s.Sequence) == anomalous).ToList();
            return selected.Count == 0 ? double.NaN : selected.Average(s => s.Score);
        }
    }
}
