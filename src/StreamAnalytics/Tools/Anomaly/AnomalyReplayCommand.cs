using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Heads;
using StreamAnalytics.Heads.Motion;
using StreamAnalytics.Ingest;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tools.Anomaly;

/// <summary>
/// <c>replay anomaly</c>: plays normal footage as one live camera would see it, faster than real time. The camera learns
/// its motion first (as <c>Detection.Motion</c> does live, with the same defaults, on footage time: frame number / fps),
/// then every frame is scored by the same head and the scores go through the live window schedule and incident tracker.
/// The footage is normal, so every incident after learning is a false one: it measures false incidents per hour.
/// </summary>
internal static partial class AnomalyReplayCommand
{
    public static async Task<int> RunAsync(ReplayAnomalyRequest request, TextWriter output, TextWriter error, ILoggerFactory loggers, CancellationToken cancellationToken = default)
    {
        if (!(request.Fps is > 0 and <= 1000) || !Configuration.Validation.MotionRules.IsLearningMinutes(request.LearningMinutes) || request.Loops is < 1 or > 1000)
        {
            return await OfflineConsole.InvalidAsync(error, "--fps must be above 0 and at most 1000, --learning-minutes above 0 and at most 10080, and --loops between 1 and 1000.").ConfigureAwait(false);
        }

        var tuning = request.Tuning ?? AnomalyTuning.Default;
        if (tuning.Problem() is { } invalid)
        {
            return await OfflineConsole.InvalidAsync(error, invalid).ConfigureAwait(false);
        }

        List<string> videos;
        try
        {
            videos = AnomalyCommands.ExpandInputs(request.Inputs);
        }
        catch (FileNotFoundException ex)
        {
            return await OfflineConsole.InvalidAsync(error, ex.Message).ConfigureAwait(false);
        }

        MotionNormalityModel? seed = null;
        if (request.SeedPath is { } seedPath)
        {
            if (!AnomalyCommands.TryLoadModel(seedPath, out var loaded, out var problem))
            {
                return await OfflineConsole.InvalidAsync(error, problem).ConfigureAwait(false);
            }

            seed = loaded;
        }

        var defaults = new StreamAnalyticsOptions();
        var motion = defaults.Detection.Motion;
        var settings = new LiveMotionSettings
        {
            LearningDuration = TimeSpan.FromMinutes(request.LearningMinutes),
            RefreshInterval = TimeSpan.FromMinutes(motion.RefreshMinutes),
            LastingChange = TimeSpan.FromMinutes(motion.LastingChangeMinutes),
            HoldOutBlock = TimeSpan.FromSeconds(motion.HoldOutBlockSeconds),
            MaxFrames = motion.MaxFrames,
            ThresholdQuantile = motion.ThresholdQuantile,
            LearnInline = true,
        };
        var features = seed?.FeatureOptions ?? new MotionFeatureOptions { MaxFps = request.MaxFps };
        var logger = loggers.CreateLogger(OfflineConsole.LogCategory);
        var refreshes = 0;
        var lastingChanges = 0;
        var scores = new List<FrameHeadScore>();
        var start = DateTimeOffset.UnixEpoch;
        long learnedAt = seed is null ? -1 : 0;
        try
        {
            var learning = new LiveMotionLearning(
                "replay",
                features,
                settings,
                seed,
                static _ => { },
                loggers.CreateLogger<LiveMotionLearning>(),
                reason =>
                {
                    if (reason == RelearnReason.LastingChange)
                    {
                        lastingChanges++;
                    }
                    else
                    {
                        refreshes++;
                    }
                });
            using var head = new MotionAnomalyHead(features, seed, learning, tuning.Scoring);
            for (var loop = 0; loop < request.Loops; loop++)
            {
                foreach (var video in videos)
                {
                    // Each file is a new session, as a reconnect is: no flow across the cut, and the cut is no footage.
                    head.Reset();
                    await OfflineVideo.DecodeAsync(video, frame =>
                    {
                        var index = scores.Count;
                        frame.CaptureTime = start.AddSeconds(index / request.Fps);
                        var score = head.Process(frame);
                        if (score.HasScore && learnedAt < 0)
                        {
                            learnedAt = index;
                        }

                        scores.Add(score with { Sequence = index + 1 });
                    }, loggers.CreateLogger<CameraReader>(), cancellationToken).ConfigureAwait(false);
                }

                LogLoop(logger, loop + 1, request.Loops, scores.Count);
            }
        }
        catch (Exception ex) when (ex is VideoSourceException or IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            await error.WriteLineAsync($"replay anomaly failed: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await error.WriteLineAsync("replay anomaly: cancelled.").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        var w = defaults.Window;
        var replayed = IncidentReplay.Run(scores, request.Fps, new WindowSchedule(w.Length, w.Subsample, w.Hop), tuning.Lifecycle(defaults.Detection.Lifecycle), defaults.Detection.Anomaly.CooldownSeconds);
        var learnedSeconds = learnedAt < 0 ? scores.Count / request.Fps : learnedAt / request.Fps;
        var scoredSeconds = learnedAt < 0 ? 0 : (scores.Count - learnedAt) / request.Fps;
        var report = new AnomalyReplayReport(
            [.. videos.Select(Path.GetFullPath)],
            request.Fps,
            request.Loops,
            request.LearningMinutes,
            string.Create(CultureInfo.InvariantCulture, $"{w.Length}/{w.Subsample}/{w.Hop}"),
            scores.Count,
            Math.Round(learnedSeconds, 1),
            Math.Round(scoredSeconds, 1),
            learnedAt < 0 ? null : scores[^1].Threshold,
            refreshes,
            lastingChanges,
            [.. replayed.Select(i => new AnomalyReplayIncident(Seconds(i.FirstFrame), Seconds(i.AlertFrame), Seconds(i.LastFrame)))],
            scoredSeconds > 0 ? Math.Round(replayed.Count * 3600 / scoredSeconds, 1) : null);
        var c = CultureInfo.InvariantCulture;
        await output.WriteLineAsync(learnedAt < 0
            ? string.Create(c, $"Played {scores.Count} frames ({report.LearnedAfterSeconds:0.0} s at {request.Fps:0.##} fps): not enough footage to learn {request.LearningMinutes:0.##} minutes; nothing was scored.")
            : string.Create(c, $"Played {scores.Count} frames ({scores.Count / request.Fps:0.0} s at {request.Fps:0.##} fps) as one camera: {(seed is null ? $"learned after {report.LearnedAfterSeconds:0.0} s" : "started from the seed")}, threshold {report.Threshold:0.###}, {report.Refreshes} refreshes, {report.LastingChanges} lasting changes learned.")).ConfigureAwait(false);
        foreach (var incident in report.Incidents)
        {
            await output.WriteLineAsync(string.Create(c, $"  incident at {incident.AlertSecond:0.0} s (footage {incident.FirstSecond:0.0}–{incident.LastSecond:0.0} s)")).ConfigureAwait(false);
        }

        await output.WriteLineAsync(string.Create(c, $"Incidents after learning (all false: the footage is normal): {report.Incidents.Count} in {report.ScoredSeconds:0.0} s of footage{(report.IncidentsPerHour is { } h ? $", {h:0.0} per hour" : string.Empty)}.")).ConfigureAwait(false);
        try
        {
            var reportPath = Path.GetFullPath(request.ReportPath);
            Directory.CreateDirectory(Path.GetDirectoryName(reportPath)!);
            await File.WriteAllBytesAsync(reportPath, JsonSerializer.SerializeToUtf8Bytes(report, ToolReportJsonContext.Unescaped.AnomalyReplayReport), cancellationToken).ConfigureAwait(false);
            await output.WriteLineAsync($"Report: {reportPath}").ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"replay anomaly: the report could not be written: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }

        return ExitCodes.Ok;

        double Seconds(long frame) => Math.Round((frame - 1) / request.Fps, 1);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Replay: loop {Loop} of {Loops} done, {Frames} frames so far")]
    private static partial void LogLoop(ILogger logger, int loop, int loops, int frames);
}
