using StreamAnalytics.Configuration;
using StreamAnalytics.Tools.Anomaly;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Tools;

public sealed class IncidentReplayTests
{
    private const double Threshold = 1.0;
    private const double Fps = 10;
    private static readonly WindowSchedule Schedule = new(8, 2, 4);

    [Fact]
    public void Scores_that_never_pass_the_threshold_raise_nothing()
    {
        Assert.Empty(IncidentReplay.Run(Scores(300, _ => 0.5), Fps, Schedule, new EventLifecycleOptions(), 10));
    }

    [Fact]
    public void A_burst_raises_one_incident_that_covers_it_alerts_when_a_window_holding_it_completes_and_ends_after_the_exit_windows()
    {
        // Frames 101-130 (1-based) score above the threshold.
        var scores = Scores(400, sequence => sequence is >= 101 and <= 130 ? 3.0 : 0.2);

        var incident = Assert.Single(IncidentReplay.Run(scores, Fps, Schedule, new EventLifecycleOptions(), 10));

        Assert.True(incident.Overlaps(101, 130));
        // A sampled slot keeps the highest score since the previous sampled frame: frame 101 (index 100) is seen by
        // the slot of index 102, and the first window holding that slot completes a hop later at the latest.
        Assert.InRange(incident.AlertFrame, 103, 103 + (4 * 3));
        Assert.True(incident.FirstFrame <= 103, $"first frame {incident.FirstFrame}");
        // Three windows below (the default ExitWindows), a hop of 12 frames each, after the burst's last window.
        Assert.InRange(incident.LastFrame, 131, 131 + (8 * 3) + (3 * 12));
    }

    [Fact]
    public void An_incident_still_open_at_the_end_of_the_video_ends_with_its_last_frame()
    {
        var scores = Scores(200, sequence => sequence > 150 ? 3.0 : 0.0);

        var incident = Assert.Single(IncidentReplay.Run(scores, Fps, Schedule, new EventLifecycleOptions(), 10));

        Assert.Equal(200, incident.LastFrame);
        // It begins with its first window above, which spans 22 frames (and its first slot two more) before frame 151.
        Assert.InRange(incident.FirstFrame, 151 - 24, 151);
        Assert.False(incident.Overlaps(1, 151 - 25));
    }

    [Fact]
    public void The_lifecycle_decides_as_it_does_live_a_minimum_duration_keeps_a_short_burst_quiet()
    {
        var scores = Scores(400, sequence => sequence is >= 101 and <= 110 ? 3.0 : 0.2);

        Assert.Single(IncidentReplay.Run(scores, Fps, Schedule, new EventLifecycleOptions(), 10));
        Assert.Empty(IncidentReplay.Run(scores, Fps, Schedule, new EventLifecycleOptions { MinDurationSeconds = 5 }, 10));
    }

    [Fact]
    public void Each_window_is_compared_with_the_threshold_its_frames_were_scored_with()
    {
        // The same scores throughout; a refreshed model lowers the threshold from frame 201 on: only then do they alert.
        var scores = Enumerable.Range(1, 400).Select(i => new FrameHeadScore(i, true, 0.5, 0.5, i <= 200 ? 1.0 : 0.4)).ToList();

        var incident = Assert.Single(IncidentReplay.Run(scores, Fps, Schedule, new EventLifecycleOptions(), 10));

        Assert.InRange(incident.AlertFrame, 201, 220);
    }

    private static List<FrameHeadScore> Scores(int count, Func<long, double> score) =>
        [.. Enumerable.Range(1, count).Select(i => new FrameHeadScore(i, true, score(i), score(i), Threshold))];
}
