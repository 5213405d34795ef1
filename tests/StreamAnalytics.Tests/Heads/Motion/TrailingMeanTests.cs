using StreamAnalytics.Heads.Motion;

namespace StreamAnalytics.Tests.Heads.Motion;

public sealed class TrailingMeanTests
{
    [Fact]
    public void Averages_what_it_has_then_the_last_n()
    {
        var mean = new TrailingMean(3);

        Assert.Equal(3.0, mean.Add(3));
        Assert.Equal(4.5, mean.Add(6));
        Assert.Equal(5.0, mean.Add(6));
        Assert.Equal(8.0, mean.Add(12));
        Assert.Equal(10.0, mean.Add(12));
    }

    [Fact]
    public void Reset_forgets_earlier_values()
    {
        var mean = new TrailingMean(2);
        mean.Add(100);
        mean.Add(100);

        mean.Reset();

        Assert.Equal(1.0, mean.Add(1));
        Assert.Equal(2.0, mean.Add(3));
    }
}
