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

    private LiveMotionLearning Create(MotionNormalityModel? start = null, LiveMotionSettings? settings = null) =>
        new("cam", Small, settings ?? Settings, start, _saved.Add, NullLogger.Instance);

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
}
