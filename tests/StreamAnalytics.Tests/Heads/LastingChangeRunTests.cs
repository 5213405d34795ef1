using StreamAnalytics.Heads;

namespace StreamAnalytics.Tests.Heads;

public sealed class LastingChangeRunTests
{
    private static readonly TimeSpan Second = TimeSpan.FromSeconds(1);

    [Fact]
    public void Quiet_footage_inside_a_run_counts_but_the_run_is_learned_only_on_an_alert()
    {
        var run = new LastingChangeRun(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30));
        Assert.False(run.Observe(alerting: true, Second, out var started));
        Assert.True(started);

        for (var s = 0; s < 49; s++)
        {
            Assert.False(run.Observe(alerting: true, Second, out started));
            Assert.False(started);
        }

        // 49 s in, then 20 s quiet: the run's footage passes 60 s, but a quiet window does not complete it.
        for (var s = 0; s < 20; s++)
        {
            Assert.False(run.Observe(alerting: false, Second, out _));
        }

        Assert.Equal(TimeSpan.FromSeconds(69), run.Footage);
        Assert.True(run.Observe(alerting: true, Second, out started));
        Assert.False(started);

        // Not ended by the caller (it could not learn yet): it is still lasted at the next alert.
        Assert.True(run.Observe(alerting: true, Second, out _));
        run.End();
        Assert.False(run.Active);
        Assert.Equal(TimeSpan.Zero, run.Footage);
    }

    [Fact]
    public void A_quiet_stretch_as_long_as_the_break_ends_the_run_and_the_next_alert_starts_another()
    {
        var run = new LastingChangeRun(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(30));
        for (var s = 0; s < 40; s++)
        {
            run.Observe(alerting: true, Second, out _);
        }

        for (var s = 0; s < 29; s++)
        {
            run.Observe(alerting: false, Second, out _);
        }

        Assert.True(run.Active);
        run.Observe(alerting: false, Second, out _);
        Assert.False(run.Active);
        Assert.Equal(TimeSpan.Zero, run.Footage);

        Assert.False(run.Observe(alerting: true, Second, out var started));
        Assert.True(started);
    }
}
