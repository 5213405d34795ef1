using StreamAnalytics.Configuration;
using StreamAnalytics.Detection;
using StreamAnalytics.Heads.Appearance;
using StreamAnalytics.Inference;

namespace StreamAnalytics.RegionAppearance;

/// <summary>
/// The study's training plays (calibration_study.py) through the product's own code: <see cref="AnomalyDetector"/>
/// with <see cref="RegionMetric"/> and the <c>Detection.Anomaly</c> defaults for <c>Regions</c> (80 windows), and the
/// live <see cref="IncidentTracker"/>. 16 plays, each through the 16 training videos from another one; incidents
/// counted from window 80 on. The study's row for the shipped setting must come out the same.
/// </summary>
internal static class RegionReplay
{
    private const double Fps = 10;
    private const int CountFrom = 80;

    public static (int Incidents, double Seconds) Run(IReadOnlyList<DumpedVideo> videos, ModelManifest manifest, int channels)
    {
        var options = new AnomalyOptions { Regions = true, CalibrationWindows = 80 };
        var start = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
        var (incidents, seconds) = (0, 0.0);
        for (var r = 0; r < videos.Count; r++)
        {
            var cells = videos[0].Windows[0].Map.Length / channels;
            var detector = new AnomalyDetector(
                options.CalibrationWindowCount, options.RegionMargin, options.Sigma, options.MinThreshold, TimeSpan.FromMinutes(options.RefreshMinutes),
                TimeSpan.FromMinutes(options.LastingChangeMinutes), new RegionMetric(channels, cells, options.RegionMinCells));
            var tracker = new IncidentTracker(new EventLifecycleOptions(), options.CooldownSeconds);
            var (offset, index, countedFrom, open) = (0L, 0, -1L, false);
            foreach (var video in videos.Skip(r).Concat(videos.Take(r)))
            {
                foreach (var (first, last, map) in video.Windows)
                {
                    var (from, to) = (offset + first, offset + last);
                    countedFrom = index == CountFrom ? to : countedFrom;
                    var time = start + TimeSpan.FromSeconds(to / Fps);
                    if (detector.Observe(map, time) is { } score)
                    {
                        var message = tracker.Observe(score.IsAnomalous, score.Score, new WindowInference("camera", index, from, to, start + TimeSpan.FromSeconds(from / Fps), time, manifest, []));
                        open = message?.Phase == IncidentPhase.Start || (open && message?.Phase != IncidentPhase.End);
                        incidents += message?.Phase == IncidentPhase.End && to >= countedFrom && countedFrom >= 0 ? 1 : 0;
                    }

                    index++;
                }

                offset += video.Frames;
            }

            incidents += open ? 1 : 0;
            seconds += (offset - countedFrom) / Fps;
        }

        return (incidents, seconds);
    }
}
