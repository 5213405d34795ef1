using Microsoft.Extensions.Time.Testing;
using StreamAnalytics.Observability;

namespace StreamAnalytics.Tests.Observability;

public sealed class LogRateLimiterTests
{
    [Fact]
    public void Allows_n_lines_per_period_then_reports_what_it_suppressed_when_the_period_ends()
    {
        var time = new FakeTimeProvider();
        var limiter = new LogRateLimiter(2, TimeSpan.FromMinutes(1), time);

        var allowed = Enumerable.Range(0, 5).Select(_ => limiter.TryAcquire(out _)).ToList();
        time.Advance(TimeSpan.FromMinutes(1));
        var afterPeriod = limiter.TryAcquire(out var suppressed);

        Assert.Equal([true, true, false, false, false], allowed);
        Assert.True(afterPeriod);
        Assert.Equal(3, suppressed);
        Assert.Equal(0, limiter.TakeSuppressed());
    }
}
