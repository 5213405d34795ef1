using StreamAnalytics.Configuration;
using StreamAnalytics.Detection;
using StreamAnalytics.Inference;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tools.Anomaly;

/// <summary>
/// Plays a video's frame scores through what a live camera does with them: the window schedule (a sampled slot
/// keeps the highest score since the previous sampled frame, a window the highest of its slots, as
/// <see cref="CameraWindowing"/> does), then the same <see cref="IncidentTracker"/> detection uses, with the
/// configuration's lifecycle and cooldown, against the threshold each frame was scored with. Time is frame number / fps, so the figures do not depend on how fast
/// the file decodes.
/// </summary>
internal static class IncidentReplay
{
    // The tracker reads only the window's identity and times; no model ran on these windows.
    private static readonly ModelManifest FrameHeadsOnly = new("frame-heads", "1", string.Empty, string.Empty, new ModelInputSpec("frames", TensorLayout.Nchw, 1, new FrameTensorFormat(1, 1, ColorOrder.Bgr, 1f, [0f, 0f, 0f], [1f, 1f, 1f])), []);

    public static List<ReplayedIncident> Run(IReadOnlyList<FrameHeadScore> scores, double fps, WindowSchedule schedule, EventLifecycleOptions lifecycle, double cooldownSeconds)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fps);
        var tracker = new IncidentTracker(lifecycle, cooldownSeconds);
        var slots = new double[schedule.Length];
        var slotFrames = new int[schedule.Length];
        var incidents = new List<ReplayedIncident>();
        long? first = null;
        long alert = 0;
        var pending = double.NaN;
        long sampled = -1;
        for (var i = 0; i < scores.Count; i++)
        {
            if (scores[i].HasScore && !(scores[i].Score <= pending))
            {
                pending = scores[i].Score;
            }

            if (!schedule.IsSampled(i))
            {
                continue;
            }

            sampled++;
            var slot = (int)(sampled % schedule.Length);
            slots[slot] = pending;
            slotFrames[slot] = i;
            pending = double.NaN;
            if (!schedule.CompletesWindow(sampled))
            {
                continue;
            }

            var score = double.NaN;
            foreach (var s in slots)
            {
                if (!(s <= score))
                {
                    score = s;
                }
            }

            var firstIndex = slotFrames[(int)(schedule.WindowStart(sampled) % schedule.Length)];
            var window = new WindowInference("replay", sampled, scores[firstIndex].Sequence, scores[i].Sequence, TimeOf(firstIndex), TimeOf(i), FrameHeadsOnly, []);
            // The threshold in force when the window closes, as CameraWindowing puts it on the window (it changes when a live model is refreshed).
            var message = tracker.Observe(score > scores[i].Threshold, double.IsNaN(score) ? 0 : score, window);
            if (message?.Phase == IncidentPhase.Start)
            {
                first = message.FirstSequence;
                alert = scores[i].Sequence;
            }
            else if (message?.Phase == IncidentPhase.End && first is { } started)
            {
                incidents.Add(new ReplayedIncident(started, alert, scores[i].Sequence));
                first = null;
            }
        }

        if (first is { } open)
        {
            incidents.Add(new ReplayedIncident(open, alert, scores[^1].Sequence));
        }

        return incidents;

        DateTimeOffset TimeOf(int index) => DateTimeOffset.UnixEpoch.AddSeconds(index / fps);
    }
}
