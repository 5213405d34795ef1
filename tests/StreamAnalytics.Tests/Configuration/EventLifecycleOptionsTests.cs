using StreamAnalytics.Configuration;
using StreamAnalytics.Tools.Anomaly;

namespace StreamAnalytics.Tests.Configuration;

public sealed class EventLifecycleOptionsTests
{
    [Fact]
    public void A_copy_with_another_minimum_duration_keeps_every_other_setting_and_leaves_the_original_alone()
    {
        var original = new EventLifecycleOptions { EnterWindows = 2, EnterOf = 3, ExitWindows = 4, MinDurationSeconds = 1, UpdateIntervalSeconds = 7 };

        var copy = new AnomalyTuning(MinDurationSeconds: 2.5).Lifecycle(original);

        Assert.NotSame(original, copy);
        Assert.Equal(2.5, copy.MinDurationSeconds);
        Assert.Equal(1, original.MinDurationSeconds);

        // Every other public setting, including any added after this test was written.
        foreach (var property in typeof(EventLifecycleOptions).GetProperties().Where(p => p.Name != nameof(EventLifecycleOptions.MinDurationSeconds)))
        {
            Assert.Equal(property.GetValue(original), property.GetValue(copy));
        }
    }
}
