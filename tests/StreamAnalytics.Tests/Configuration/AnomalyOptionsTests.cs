using Microsoft.Extensions.Configuration;
using StreamAnalytics.Configuration;

namespace StreamAnalytics.Tests.Configuration;

public sealed class AnomalyOptionsTests
{
    private static AnomalyOptions Bind(Dictionary<string, string?> values)
    {
        var section = new ConfigurationBuilder().AddInMemoryCollection(values).Build().GetSection("StreamAnalytics");
        Assert.Empty(ConfigurationSchemaChecker.Check(section, typeof(StreamAnalyticsOptions), out var unconvertible));
        var options = new StreamAnalyticsOptions();
        ConfigurationSchemaChecker.Bindable(section, unconvertible).Bind(options);
        return options.Detection.Anomaly;
    }

    [Fact]
    public void Unset_calibration_is_20_windows_for_the_whole_embedding_and_80_per_region()
    {
        Assert.Equal(20, Bind(new()).CalibrationWindowCount);
        Assert.Equal(80, Bind(new() { ["StreamAnalytics:Detection:Anomaly:Regions"] = "true" }).CalibrationWindowCount);
    }

    [Fact]
    public void A_configured_calibration_is_kept_with_or_without_regions()
    {
        Assert.Equal(20, Bind(new()
        {
            ["StreamAnalytics:Detection:Anomaly:Regions"] = "true",
            ["StreamAnalytics:Detection:Anomaly:CalibrationWindows"] = "20",
        }).CalibrationWindowCount);
        Assert.Equal(80, Bind(new() { ["StreamAnalytics:Detection:Anomaly:CalibrationWindows"] = "80" }).CalibrationWindowCount);
    }
}
