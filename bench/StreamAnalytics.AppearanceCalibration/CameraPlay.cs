using StreamAnalytics.Configuration;
using StreamAnalytics.Detection;
using StreamAnalytics.Heads.Appearance;
using StreamAnalytics.Inference;

namespace StreamAnalytics.AppearanceCalibration;

/// <summary>
/// Plays videos one after the other as one camera through the appearance detector (the <c>Detection.Anomaly</c>
/// defaults but for the calibration size) and the live incident tracker (default lifecycle, anomaly cooldown).
/// Frame numbers are 0-based over the whole play; footage time is frame / fps.
/// </summary>
internal static class CameraPlay
{
    /// <param name="holdOutRadius">
    /// Null: the detector learns its threshold as shipped, from each calibration window's nearest other one. Otherwise
    /// the threshold is set from each calibration window's nearest one more than this many windows away in time, or,
    /// when negative, from its nearest one in the other half of the calibration (first half against second).
    /// </param>
    public static PlayResult Run(IReadOnlyList<VideoWindows> videos, int calibrationWindows, double fps, ModelManifest manifest, int? holdOutRadius = null)
    {
        var options = new AnomalyOptions { CalibrationWindows = calibrationWindows };
        if (holdOutRadius is { } radius)
        {
            var calibration = videos.SelectMany(v => v.Windows).Take(calibrationWindows).Select(w => Unit(w.Embedding)).ToList();
            var nearest = new double[calibration.Count];
            for (var i = 0; i < calibration.Count; i++)
            {
                nearest[i] = double.MaxValue;
                for (var j = 0; j < calibration.Count; j++)
                {
                    if (radius >= 0 ? Math.Abs(i - j) > radius : (i < calibration.Count / 2) != (j < calibration.Count / 2))
                    {
                        nearest[i] = Math.Min(nearest[i], 1.0 - System.Numerics.Tensors.TensorPrimitives.Dot(calibration[i], calibration[j]));
                    }
                }
            }

            var mean = nearest.Average();
            var std = Math.Sqrt(nearest.Sum(d => (d - mean) * (d - mean)) / nearest.Length);
            options.Threshold = Math.Max(options.MinThreshold, mean + (options.Sigma * std));
        }

        var detector = new AnomalyDetector(
            options.CalibrationWindowCount,
            options.Threshold,
            options.Sigma,
            options.MinThreshold,
            options.RefreshMinutes > 0 ? TimeSpan.FromMinutes(options.RefreshMinutes) : null,
            options.LastingChangeMinutes > 0 ? TimeSpan.FromMinutes(options.LastingChangeMinutes) : null);
        var tracker = new IncidentTracker(new EventLifecycleOptions(), options.CooldownSeconds);
        var start = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
        var incidents = new List<PlayedIncident>();
        var alerting = new List<bool>();
        (long First, long Alert, int Window)? open = null;
        long offset = 0;
        var index = 0;
        long lastFrame = 0;
        foreach (var video in videos)
        {
            foreach (var w in video.Windows)
            {
                var first = offset + w.FirstFrame;
                lastFrame = offset + w.LastFrame;
                var time = start + TimeSpan.FromSeconds(lastFrame / fps);
                var score = detector.Observe(w.Embedding, time);
                alerting.Add(score is { IsAnomalous: true });
                if (score is { } s)
                {
                    var window = new WindowInference("camera", index, first, lastFrame, start + TimeSpan.FromSeconds(first / fps), time, manifest, []);
                    var message = tracker.Observe(s.IsAnomalous, s.Score, window);
                    if (message?.Phase == IncidentPhase.Start)
                    {
                        open = (first, lastFrame, index);
                    }
                    else if (message?.Phase == IncidentPhase.End && open is { } o)
                    {
                        incidents.Add(new PlayedIncident(o.First, o.Alert, lastFrame, o.Window));
                        open = null;
                    }
                }

                index++;
            }

            offset += video.Frames;
        }

        if (open is { } still)
        {
            incidents.Add(new PlayedIncident(still.First, still.Alert, lastFrame, still.Window));
        }

        return new PlayResult(incidents, detector.Threshold, alerting);
    }

    private static float[] Unit(float[] v)
    {
        var unit = new float[v.Length];
        System.Numerics.Tensors.TensorPrimitives.Divide(v, Math.Max(System.Numerics.Tensors.TensorPrimitives.Norm(v), 1e-12f), unit);
        return unit;
    }
}
