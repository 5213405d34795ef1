using Microsoft.Extensions.Configuration;
using StreamAnalytics.Configuration;

namespace StreamAnalytics.Tests.Configuration;

public sealed class ConfigurationSchemaCheckerTests
{
    private static List<string> Check(Dictionary<string, string?> values)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        return ConfigurationSchemaChecker.Check(configuration.GetSection(StreamAnalyticsOptions.SectionName), typeof(StreamAnalyticsOptions));
    }

    [Fact]
    public void A_complete_valid_configuration_has_no_problems()
    {
        var problems = Check(new()
        {
            ["StreamAnalytics:Cameras:0:Id"] = "front",
            ["StreamAnalytics:Cameras:0:Url"] = "rtsp://10.0.0.2/s",
            ["StreamAnalytics:Cameras:0:Width"] = "640",
            ["StreamAnalytics:Cameras:0:Loop"] = "false",
            ["StreamAnalytics:Cameras:0:Window:Length"] = "16",
            ["StreamAnalytics:Cameras:0:Reconnect:MaxDelaySeconds"] = "12.5",
            ["StreamAnalytics:Cameras:0:Gate:Enabled"] = "true",
            ["StreamAnalytics:Cameras:0:Gate:Threshold"] = "0.01",
            ["StreamAnalytics:Cameras:0:Gate:PixelDelta"] = "30",
            ["StreamAnalytics:Cameras:0:Gate:MaxSkipSeconds"] = "2.5",
            ["StreamAnalytics:Window:Hop"] = "2",
            ["StreamAnalytics:Model:maxbatch"] = "4",
            ["StreamAnalytics:Detection:Anomaly:Threshold"] = "0.3",
            ["StreamAnalytics:Detection:Action:Thresholds:fall"] = "0.7",
            ["StreamAnalytics:Mqtt:Password"] = "secret",
            ["StreamAnalytics:Metrics:Enabled"] = "true",
            ["StreamAnalytics:Pipeline:DrainTimeoutSeconds"] = "5",
        });

        Assert.Empty(problems);
    }

    [Fact]
    public void Unknown_keys_and_unconvertible_values_are_all_reported()
    {
        var problems = Check(new()
        {
            ["StreamAnalytics:Cameras:0:Id"] = "front",
            ["StreamAnalytics:Cameras:0:Widht"] = "640",
            ["StreamAnalytics:Cameras:1:Id"] = "back",
            ["StreamAnalytics:Cameras:1:Height"] = "tall",
            ["StreamAnalytics:Model:MaxBatch"] = "eight",
            ["StreamAnalytics:Detection:Anomaly:Enabled"] = "yes",
            ["StreamAnalytics:Detection:Action:Thresholds:fall"] = "high",
            ["StreamAnalytics:Mqtt:Portt"] = "1883",
            ["StreamAnalytics:Cameras:1:Gate:MaxSkip"] = "5",
            ["StreamAnalytics:Cameras:1:Gate:Threshold"] = "low",
        });

        Assert.Equal(8, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Cameras[1].Gate.MaxSkip: unknown setting 'MaxSkip'", StringComparison.Ordinal) && p.Contains("MaxSkipSeconds", StringComparison.Ordinal));
        Assert.Contains("Cameras[1].Gate.Threshold: 'low' is not a valid number.", problems);
        Assert.Contains(problems, p => p.StartsWith("Cameras[0].Widht: unknown setting 'Widht'", StringComparison.Ordinal) && p.Contains("Width", StringComparison.Ordinal));
        Assert.Contains("Cameras[1].Height: 'tall' is not a valid whole number.", problems);
        Assert.Contains("Model.MaxBatch: 'eight' is not a valid whole number.", problems);
        Assert.Contains("Detection.Anomaly.Enabled: 'yes' is not a valid true/false.", problems);
        Assert.Contains("Detection.Action.Thresholds.fall: 'high' is not a valid number.", problems);
        Assert.Contains(problems, p => p.StartsWith("Mqtt.Portt: unknown setting 'Portt'", StringComparison.Ordinal));
    }

    [Fact]
    public void A_value_where_a_section_belongs_and_a_map_where_a_list_belongs_are_reported()
    {
        var problems = Check(new()
        {
            ["StreamAnalytics:Window"] = "8",
            ["StreamAnalytics:Cameras:front:Id"] = "front",
        });

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("Window: expected a section", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("Cameras: expected a list, found key 'front'", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_top_level_section_is_reported()
    {
        var problem = Assert.Single(Check(new() { ["StreamAnalytics:Camera:0:Id"] = "front" }));

        Assert.StartsWith("Camera: unknown setting 'Camera'", problem, StringComparison.Ordinal);
    }
}
