using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Windowing;

public sealed class WindowScheduleIndexTests
{
    [Theory]
    [InlineData(4, 0, 4)]
    [InlineData(4, 2, 10)]
    [InlineData(8, 2, 22)]
    [InlineData(1, 5, 1)]
    [InlineData(3, 1, 5)]
    public void SpanInFrames_counts_decoded_frames_from_first_to_last_sampled_frame(int length, int subsample, int expected)
    {
        Assert.Equal(expected, new WindowSchedule(length, subsample, 1).SpanInFrames);
    }

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(0, 3, 3)]
    [InlineData(2, 3, 9)]
    [InlineData(4, 5, 25)]
    public void FrameIndexOf_maps_a_sampled_index_to_its_decoded_frame(int subsample, long sampledIndex, long expectedFrame)
    {
        var schedule = new WindowSchedule(4, subsample, 2);

        var frame = schedule.FrameIndexOf(sampledIndex);

        Assert.Equal(expectedFrame, frame);
        Assert.True(schedule.IsSampled(frame));
    }

    [Fact]
    public void Only_every_subsample_plus_one_th_frame_is_sampled()
    {
        var schedule = new WindowSchedule(4, 2, 2);

        var sampled = Enumerable.Range(0, 12).Where(f => schedule.IsSampled(f)).ToArray();

        Assert.Equal([0, 3, 6, 9], sampled);
    }

    [Fact]
    public void Hop_larger_than_length_leaves_gaps_that_no_window_covers()
    {
        var schedule = new WindowSchedule(2, 0, 5);

        var covered = Enumerable.Range(0, 12).Select(k => schedule.IsCovered(k)).ToArray();
        var completing = Enumerable.Range(0, 12).Where(k => schedule.IsCovered(k) && schedule.CompletesWindow(k)).ToArray();

        Assert.Equal([true, true, false, false, false, true, true, false, false, false, true, true], covered);
        Assert.Equal([1, 6, 11], completing);
        Assert.Equal([0L, 5L, 10L], completing.Select(k => schedule.WindowStart(k)).ToArray());
    }

    [Fact]
    public void Every_sampled_frame_is_covered_when_hop_does_not_exceed_length()
    {
        var schedule = new WindowSchedule(4, 1, 4);

        Assert.All(Enumerable.Range(0, 40), k => Assert.True(schedule.IsCovered(k)));
    }

    [Theory]
    [InlineData(4, 2, 7, 4)]
    [InlineData(8, 4, 11, 4)]
    [InlineData(1, 1, 5, 5)]
    public void WindowStart_is_length_minus_one_before_the_last_frame(int length, int hop, long last, long expectedStart)
    {
        var schedule = new WindowSchedule(length, 0, hop);

        Assert.True(schedule.CompletesWindow(last));
        Assert.Equal(expectedStart, schedule.WindowStart(last));
    }

    [Fact]
    public void A_window_of_length_one_with_hop_one_closes_on_every_sampled_frame()
    {
        var schedule = new WindowSchedule(1, 0, 1);

        Assert.All(Enumerable.Range(0, 10), k => Assert.True(schedule.CompletesWindow(k)));
    }

    [Fact]
    public void No_window_closes_before_length_sampled_frames()
    {
        var schedule = new WindowSchedule(5, 0, 1);

        Assert.All(Enumerable.Range(0, 4), k => Assert.False(schedule.CompletesWindow(k)));
        Assert.True(schedule.CompletesWindow(4));
    }

    [Theory]
    [InlineData(0, 0, 1)]
    [InlineData(1, -1, 1)]
    [InlineData(1, 0, 0)]
    public void Invalid_parameters_are_rejected(int length, int subsample, int hop)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new WindowSchedule(length, subsample, hop));
    }
}
