using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Windowing;

public sealed class WindowScheduleTests
{
    [Theory]
    [InlineData(4, 0, 4, new long[] { 3, 7, 11 })]
    [InlineData(4, 0, 2, new long[] { 3, 5, 7, 9, 11 })]
    [InlineData(3, 1, 1, new long[] { 4, 6, 8, 10 })]
    [InlineData(2, 0, 5, new long[] { 1, 6, 11 })]
    public void Windows_close_on_the_expected_frames(int length, int subsample, int hop, long[] expectedLastFrames)
    {
        var schedule = new WindowSchedule(length, subsample, hop);
        var closing = new List<long>();
        long sampled = 0;
        for (long frame = 0; frame < 12; frame++)
        {
            if (!schedule.IsSampled(frame))
            {
                continue;
            }

            var k = sampled++;
            if (schedule.IsCovered(k) && schedule.CompletesWindow(k))
            {
                closing.Add(frame);
            }
        }

        Assert.Equal(expectedLastFrames, closing);
    }
}
