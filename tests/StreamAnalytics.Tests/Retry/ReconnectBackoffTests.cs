using StreamAnalytics.Retry;
using StreamAnalytics.Tests.Fakes;

namespace StreamAnalytics.Tests.Retry;

public sealed class ReconnectBackoffTests
{
    private static readonly TimeSpan Initial = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    [Fact]
    public void Lowest_jitter_gives_half_of_a_doubling_ceiling_capped_at_max()
    {
        var backoff = new ReconnectBackoff(Initial, Max, new StubRandom(0));

        var delays = Enumerable.Range(0, 8).Select(_ => backoff.Next().TotalSeconds).ToArray();

        Assert.Equal([0.5, 1, 2, 4, 8, 15, 15, 15], delays);
        Assert.Equal(8, backoff.Attempt);
    }

    [Fact]
    public void Highest_jitter_reaches_the_ceiling()
    {
        var backoff = new ReconnectBackoff(Initial, Max, new StubRandom(1.0 - 1e-12));

        var delays = Enumerable.Range(0, 7).Select(_ => backoff.Next().TotalSeconds).ToArray();

        double[] ceilings = [1, 2, 4, 8, 16, 30, 30];
        for (var i = 0; i < delays.Length; i++)
        {
            Assert.Equal(ceilings[i], delays[i], 3);
        }
    }

    [Fact]
    public void Every_delay_lies_within_its_jitter_bounds()
    {
        var backoff = new ReconnectBackoff(TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), new Random(1234));

        for (var attempt = 0; attempt < 40; attempt++)
        {
            var ceiling = Math.Min(10_000, 200 * Math.Pow(2, attempt));
            var delay = backoff.Next().TotalMilliseconds;
            Assert.InRange(delay, (ceiling / 2) - 0.001, ceiling + 0.001);
        }
    }

    [Fact]
    public void Many_attempts_never_overflow_past_the_maximum()
    {
        var backoff = new ReconnectBackoff(Initial, Max, new StubRandom(0.5));

        for (var i = 0; i < 200; i++)
        {
            backoff.Next();
        }

        Assert.Equal(22.5, backoff.Next().TotalSeconds, 6);
    }

    [Fact]
    public void Reset_starts_again_from_the_initial_delay()
    {
        var backoff = new ReconnectBackoff(Initial, Max, new StubRandom(0));
        for (var i = 0; i < 5; i++)
        {
            backoff.Next();
        }

        backoff.Reset();

        Assert.Equal(0, backoff.Attempt);
        Assert.Equal(0.5, backoff.Next().TotalSeconds);
        Assert.Equal(1, backoff.Next().TotalSeconds);
    }

    [Theory]
    [InlineData(0, 10)]
    [InlineData(-1, 10)]
    [InlineData(5, 4)]
    public void Invalid_bounds_are_rejected(double initialSeconds, double maxSeconds)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectBackoff(TimeSpan.FromSeconds(initialSeconds), TimeSpan.FromSeconds(maxSeconds)));
    }
}
