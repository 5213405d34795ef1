using Microsoft.Extensions.Logging.Abstractions;
using StreamAnalytics.Heads.Motion;

namespace StreamAnalytics.Tests.Heads.Motion;

public sealed class LiveMotionLearningTests
{
    private static readonly MotionFeatureOptions Small = new() { AnalysisWidth = 64, AnalysisHeight = 64, CellSize = 32, CellStride = 32 };

    private static readonly DateTimeOffset Start = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static readonly LiveMotionSettings Settings = new()
    {
        LearningDuration = TimeSpan.FromSeconds(60),
        RefreshInterval = TimeSpan.FromSeconds(120),
        HoldOutBlock = TimeSpan.FromSeconds(10),
        MaxFrames = 200,
    };

    private readonly Random _random = new(11);
    private readonly List<MotionNormalityModel> _saved = [];

    private float[] Features() => Enumerable.Range(0, Small.FeatureLength).Select(_ => (float)_random.NextDouble()).ToArray();

    private readonly List<string> _relearned = [];

    private LiveMotionLearning Create(MotionNormalityModel? start = null, LiveMotionSettings? settings = null) =>
        new("cam", Small, settings ?? Settings, start, _saved.Add, NullLogger.Instance, _relearned.Add);

    /// <summary>A camera that learned its first model inline, and took it up.</summary>
    private (LiveMotionLearning Learning, DateTimeOffset Time) Learned(LiveMotionSettings settings)
    {
        var learning = Create(settings: settings with { LearnInline = true });
        var t = Feed(learning, Start, 61);
        Assert.True(learning.TryTakeModel(out _));
        return (learning, t);
    }

    /// <summary>Feeds <paramref name="seconds"/> of footage at 10 fps from <paramref name="from"/>; returns the time after it.</summary>
    private DateTimeOffset Feed(LiveMotionLearning learning, DateTimeOffset from, double seconds, bool quiet = true)
    {
        var t = from;
        for (var i = 0; i < seconds * 10; i++)
        {
            learning.Observe(t, Features(), quiet);
            t += TimeSpan.FromMilliseconds(100);
        }

        return t;
    }

    [Fact]
    public async Task Learns_after_its_footage_saves_the_model_and_hands_it_over_once()
    {
        using var learning = Create();
        var progress = new List<double>();
        learning.ProgressChanged += progress.Add;

        var t = Feed(learning, Start, 30);
        Assert.InRange(learning.Progress, 0.49, 0.51);
        Assert.False(learning.TryTakeModel(out _));

        Feed(learning, t, 31);
        await learning.Pending.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(learning.TryTakeModel(out var model));
        Assert.False(learning.TryTakeModel(out _));
        Assert.Same(model, Assert.Single(_saved));
        Assert.Equal(1, learning.Progress);
        Assert.Equal("cam", model.CameraId);
        Assert.Equal(Small, model.FeatureOptions);
        Assert.InRange(model.Frames, 100, 200);
        Assert.InRange(model.HoldOutGroups, 6, 7);
        Assert.True(model.Threshold > 0);

        // Steps of 5% while learning, then 1 when the model is taken up; never a message per frame.
        Assert.Equal(1, progress[^1]);
        Assert.InRange(progress.Count, 15, 22);
        Assert.Equal(progress.Order(), progress);
    }

    [Fact]
    public void The_samples_are_seeded_from_the_camera_id_alone_so_every_run_keeps_the_same_frames()
    {
        // FNV-1a of "walkway" (and with the change sample's salt), computed independently in Python. string.GetHashCode,
        // used before, is randomised per process, so two replays of the same footage could learn different samples.
        Assert.Equal(1930531119, LiveMotionLearning.SampleSeed("walkway"));
        Assert.Equal(740739312, LiveMotionLearning.ChangeSeed("walkway"));
    }

    [Fact]
    public void A_first_model_not_yet_taken_is_not_learned_again()
    {
        // Inline learning finishes within Observe, so every later frame sees a learned model that nobody has taken.
        using var learning = Create(settings: Settings with { LearnInline = true });

        Feed(learning, Start, 90);

        var saved = Assert.Single(_saved);
        Assert.True(learning.TryTakeModel(out var model));
        Assert.Same(saved, model);
        Assert.False(learning.TryTakeModel(out _));
    }

    [Fact]
    public void Gaps_in_the_footage_do_not_count_as_learning()
    {
        using var learning = Create();
        var t = Feed(learning, Start, 20);

        // An hour away (a camera offline) adds one second at most, not an hour.
        Feed(learning, t + TimeSpan.FromHours(1), 1);

        Assert.InRange(learning.Progress, 0.35, 0.37);
    }

    [Fact]
    public async Task After_its_refresh_interval_it_relearns_from_quiet_frames_only()
    {
        using var learning = Create();
        var t = Feed(learning, Start, 61);
        await learning.Pending.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(learning.TryTakeModel(out var first));
        var held = learning.HeldFrames;

        // Loud frames (above the threshold) are never learned.
        t = Feed(learning, t, 130, quiet: false);
        Assert.Equal(held, learning.HeldFrames);
        await learning.Pending.WaitAsync(TimeSpan.FromSeconds(30));
        learning.TryTakeModel(out _);
        var saved = _saved.Count;

        // Quiet ones are, and a refresh interval later the model is rebuilt, saved and handed over.
        Feed(learning, t, 121, quiet: true);
        Assert.True(learning.HeldFrames > held);
        await learning.Pending.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(learning.TryTakeModel(out var refreshed));
        Assert.Equal(saved + 1, _saved.Count);
        Assert.Same(refreshed, _saved[^1]);
        Assert.True(refreshed.CreatedAt > first.CreatedAt);
    }

    [Fact]
    public void A_camera_that_starts_from_a_model_scores_at_once()
    {
        var videos = Enumerable.Range(0, 2).Select(_ => (IReadOnlyList<float[]>)Enumerable.Range(0, 30).Select(_ => Features()).ToList()).ToList();
        var model = MotionNormalityLearner.Learn(videos, Small, new MotionNormalityOptions(), "cam", Start);

        using var learning = Create(model);

        Assert.Equal(1, learning.Progress);
        Assert.Equal(60, learning.HeldFrames);
        Assert.False(learning.TryTakeModel(out _));
    }

    [Fact]
    public async Task A_camera_stopped_before_its_learning_ends_neither_saves_nor_hands_over()
    {
        var learning = Create();
        var t = Feed(learning, Start, 59);
        learning.Dispose();

        // Frames still in the pipe after the stop: the learning they start sees the stop when it ends.
        Feed(learning, t, 2);
        await learning.Pending.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Empty(_saved);
        Assert.False(learning.TryTakeModel(out _));
    }

    [Fact]
    public void A_change_that_alerts_for_its_lasting_time_joins_the_model_once()
    {
        var (learning, t) = Learned(Settings with { LastingChange = TimeSpan.FromSeconds(60), RefreshInterval = TimeSpan.FromHours(1) });
        using var _ = learning;
        var held = learning.HeldFrames;
        var saved = _saved.Count;

        t = Feed(learning, t, 59, quiet: false);
        Assert.Equal(saved, _saved.Count);
        Assert.Equal(0, learning.ChangesLearned);

        Feed(learning, t, 2, quiet: false);
        Assert.Equal(1, learning.ChangesLearned);
        Assert.Equal(saved + 1, _saved.Count);
        Assert.Equal(["lasting_change"], _relearned);
        Assert.True(learning.TryTakeModel(out var model));
        Assert.Same(_saved[^1], model);

        // A sample of the change (100 of its 600 frames: half of MaxFrames) joined the frames kept, and the model holds them all.
        Assert.InRange(held, 100, 200);
        Assert.Equal(Math.Min(200, held + 100), learning.HeldFrames);
        Assert.Equal(learning.HeldFrames, model.Frames);

        // The same change goes on: it is counted afresh, not learned again at once.
        Feed(learning, t + TimeSpan.FromSeconds(2), 30, quiet: false);
        Assert.Equal(1, learning.ChangesLearned);
    }

    [Fact]
    public void A_short_quiet_stretch_does_not_end_a_change_but_one_as_long_as_the_break_does()
    {
        var settings = Settings with { LastingChange = TimeSpan.FromSeconds(60), ChangeBreak = TimeSpan.FromSeconds(30), RefreshInterval = TimeSpan.FromHours(1) };
        var (interrupted, t) = Learned(settings);
        using (interrupted)
        {
            // 40 s alerting, 20 s quiet (a bus hides it), 5 s alerting: 65 s of one change.
            t = Feed(interrupted, t, 40, quiet: false);
            t = Feed(interrupted, t, 20, quiet: true);
            Feed(interrupted, t, 5, quiet: false);
            Assert.Equal(1, interrupted.ChangesLearned);
        }

        var (ended, u) = Learned(settings);
        using (ended)
        {
            // 40 s, then 31 s quiet: the change is over; the next 25 s start another one.
            u = Feed(ended, u, 40, quiet: false);
            u = Feed(ended, u, 31, quiet: true);
            Feed(ended, u, 25, quiet: false);
            Assert.Equal(0, ended.ChangesLearned);
        }
    }

    [Fact]
    public void With_no_lasting_change_time_an_alerting_scene_is_never_learned()
    {
        var (learning, t) = Learned(Settings with { LastingChange = TimeSpan.Zero, RefreshInterval = TimeSpan.FromHours(1) });
        using var _ = learning;
        var saved = _saved.Count;

        Feed(learning, t, 600, quiet: false);

        Assert.Equal(0, learning.ChangesLearned);
        Assert.Equal(saved, _saved.Count);
        Assert.Empty(_relearned);
    }

    [Fact]
    public void A_refresh_never_lowers_the_threshold()
    {
        // A looped clip, as the demo's street is: 61 s learned once, then replayed. At the refresh every block of
        // footage is held out against exact repeats of itself, and a threshold set from those alone is far lower.
        var clip = Enumerable.Range(0, 610).Select(_ => Features()).ToList();
        using var learning = Create(settings: Settings with { LearnInline = true, RefreshInterval = TimeSpan.FromSeconds(120) });
        var t = Start;
        foreach (var frame in clip)
        {
            learning.Observe(t, frame, quiet: true);
            t += TimeSpan.FromMilliseconds(100);
        }

        Assert.True(learning.TryTakeModel(out var first));
        for (var loop = 0; loop < 2; loop++)
        {
            foreach (var frame in clip)
            {
                learning.Observe(t, frame, quiet: true);
                t += TimeSpan.FromMilliseconds(100);
            }
        }

        Assert.True(learning.TryTakeModel(out var refreshed));
        Assert.Equal(["refresh"], _relearned);
        Assert.NotSame(first, refreshed);
        Assert.Equal(first.Threshold, refreshed.Threshold);
    }
}
