using StreamAnalytics.Heads.Motion;

namespace StreamAnalytics.Tests.Heads.Motion;

public sealed class MotionLearningBufferTests
{
    private static readonly MotionFeatureOptions Small = new() { AnalysisWidth = 64, AnalysisHeight = 64, CellSize = 32, CellStride = 32 };

    private static float[] Tagged(int index) => Enumerable.Repeat((float)index, Small.FeatureLength).ToArray();

    private static List<int> Held(MotionLearningBuffer buffer) =>
        [.. buffer.Snapshot().SelectMany(block => block).Select(frame => (int)frame[0]).Order()];

    [Fact]
    public void Learning_past_its_capacity_keeps_frames_evenly_spread_over_all_the_footage()
    {
        var buffer = new MotionLearningBuffer(Small.FeatureLength, capacity: 8, seed: 1);
        for (var i = 0; i < 20; i++)
        {
            buffer.Collect(Tagged(i), block: 0);
        }

        // Full at 8 (0..7), halved to every 2nd, full again at 0..14, halved to every 4th: 0, 4, 8, 12, 16.
        Assert.Equal([0, 4, 8, 12, 16], Held(buffer));
        Assert.Equal(20, buffer.Offered);
    }

    [Fact]
    public void Quiet_frames_enter_a_bounded_reservoir_that_stays_a_sample_of_everything_offered()
    {
        var buffer = new MotionLearningBuffer(Small.FeatureLength, capacity: 100, seed: 7);
        for (var i = 0; i < 100; i++)
        {
            buffer.Collect(Tagged(i), block: 0);
        }

        for (var i = 100; i < 10_000; i++)
        {
            buffer.Sample(Tagged(i), block: i / 1000);
        }

        var held = Held(buffer);
        Assert.Equal(100, held.Count);
        Assert.Equal(100, held.Distinct().Count());

        // Uniform over 10,000 frames: about 10 per thousand, and the newest thousand is no more favoured than the first.
        var recent = held.Count(i => i >= 9000);
        Assert.InRange(recent, 2, 25);
        Assert.InRange(held.Count(i => i < 5000), 30, 70);
        Assert.InRange(buffer.Snapshot().Count, 8, 10);
    }

    [Fact]
    public void A_snapshot_groups_frames_by_hold_out_block_in_time_order()
    {
        var buffer = new MotionLearningBuffer(Small.FeatureLength, capacity: 10, seed: 1);
        buffer.Collect(Tagged(1), block: 5);
        buffer.Collect(Tagged(2), block: 3);
        buffer.Collect(Tagged(3), block: 5);

        var blocks = buffer.Snapshot();

        Assert.Equal(2, blocks.Count);
        Assert.Equal([2f], blocks[0].Select(f => f[0]));
        Assert.Equal([1f, 3f], blocks[1].Select(f => f[0]));
        Assert.Equal(0, buffer.ChangedSinceSnapshot);
    }

    [Fact]
    public void Seeding_from_a_model_gives_back_the_raw_features_it_learned()
    {
        var random = new Random(3);
        var videos = Enumerable.Range(0, 2)
            .Select(_ => (IReadOnlyList<float[]>)Enumerable.Range(0, 15).Select(_ => Enumerable.Range(0, Small.FeatureLength).Select(_ => (float)random.NextDouble()).ToArray()).ToList())
            .ToList();
        var model = MotionNormalityLearner.Learn(videos, Small, new MotionNormalityOptions(), "cam", DateTimeOffset.UnixEpoch);
        var buffer = new MotionLearningBuffer(Small.FeatureLength, capacity: 100, seed: 1);

        buffer.Seed(model, blockFrames: 10);

        var back = buffer.Snapshot().SelectMany(b => b).ToList();
        var original = videos.SelectMany(v => v).ToList();
        Assert.Equal(30, back.Count);
        Assert.Equal(30, buffer.Offered);
        for (var i = 0; i < original.Count; i++)
        {
            Assert.Equal(original[i], back[i], (a, b) => Math.Abs(a - b) < 1e-5f);
        }
    }

    [Fact]
    public void A_lasting_change_takes_at_most_half_of_a_full_buffer_and_keeps_its_blocks()
    {
        var buffer = new MotionLearningBuffer(Small.FeatureLength, capacity: 100, seed: 3);
        for (var i = 0; i < 100; i++)
        {
            buffer.Collect(Tagged(i), block: 1);
        }

        var change = new MotionLearningBuffer(Small.FeatureLength, capacity: 80, seed: 4);
        for (var i = 1000; i < 1300; i++)
        {
            change.Sample(Tagged(i), block: 2);
        }

        Assert.Equal(50, buffer.Absorb(change));
        var held = Held(buffer);
        Assert.Equal(100, held.Count);
        Assert.Equal(100, held.Distinct().Count());
        Assert.Equal(50, held.Count(i => i >= 1000));
        Assert.Equal(50, held.Count(i => i < 100));

        // The change's frames are a hold-out block of their own, as captured, not mixed into the old ones.
        var blocks = buffer.Snapshot();
        Assert.Equal(2, blocks.Count);
        Assert.All(blocks[1], frame => Assert.True(frame[0] >= 1000));
    }

    [Fact]
    public void A_lasting_change_fills_free_room_but_never_outnumbers_what_was_held()
    {
        var buffer = new MotionLearningBuffer(Small.FeatureLength, capacity: 100, seed: 3);
        for (var i = 0; i < 30; i++)
        {
            buffer.Collect(Tagged(i), block: 1);
        }

        var change = new MotionLearningBuffer(Small.FeatureLength, capacity: 50, seed: 4);
        for (var i = 1000; i < 1050; i++)
        {
            change.Sample(Tagged(i), block: 2);
        }

        Assert.Equal(30, buffer.Absorb(change));
        var held = Held(buffer);
        Assert.Equal(60, held.Count);
        Assert.Equal(Enumerable.Range(0, 30), held.Take(30));
        Assert.Equal(30, held.Count(i => i >= 1000));

        change.Clear();
        Assert.Equal(0, change.Count);
        Assert.Equal(0, change.Offered);
    }
}
