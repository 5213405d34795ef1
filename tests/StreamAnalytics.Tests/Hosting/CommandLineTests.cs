using StreamAnalytics.Hosting;
using StreamAnalytics.Tests.Fakes;

namespace StreamAnalytics.Tests.Hosting;

public sealed class CommandLineTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string WriteConfig() => _dir.Write("site.json", """
        {
          "StreamAnalytics": {
            "Cameras": [ { "Id": "site-cam", "Url": "rtsp://10.1.1.1/s" } ],
            "Mqtt": { "Port": 1999, "TopicPrefix": "site" }
          }
        }
        """);

    [Fact]
    public void Without_config_the_appsettings_next_to_the_executable_is_read()
    {
        var configuration = CommandLine.BuildConfiguration([]);

        // The shipped appsettings.json is copied next to the test assembly.
        Assert.Equal("demo", configuration["StreamAnalytics:Cameras:0:Id"]);
        Assert.Equal("9464", configuration["StreamAnalytics:Http:Port"]);
    }

    [Fact]
    public void Config_file_replaces_appsettings_and_the_command_line_wins()
    {
        var file = WriteConfig();

        var configuration = CommandLine.BuildConfiguration(["--config", file, "--StreamAnalytics:Mqtt:Port=2000"]);

        Assert.Equal("site-cam", configuration["StreamAnalytics:Cameras:0:Id"]);
        Assert.Equal("2000", configuration["StreamAnalytics:Mqtt:Port"]);
        Assert.Equal("site", configuration["StreamAnalytics:Mqtt:TopicPrefix"]);

        // Nothing of appsettings.json is merged in.
        Assert.Null(configuration["StreamAnalytics:Http:Port"]);
        Assert.Null(configuration["StreamAnalytics:Window:Length"]);
        Assert.Null(configuration["--config"]);
    }

    [Fact]
    public void Config_equals_form_and_space_separated_overrides_work()
    {
        var file = WriteConfig();

        var configuration = CommandLine.BuildConfiguration(["--StreamAnalytics:Cameras:0:Id", "override", $"--config={file}"]);

        Assert.Equal("override", configuration["StreamAnalytics:Cameras:0:Id"]);
        Assert.Equal("1999", configuration["StreamAnalytics:Mqtt:Port"]);
    }

    [Fact]
    public void An_argument_that_is_not_an_override_is_an_error_naming_it()
    {
        // The load harness's form: the configuration would read it as the key 'set' and drop the override.
        var ex = Assert.Throws<ArgumentException>(() => CommandLine.BuildConfiguration(["--set", "StreamAnalytics:Cameras:0:ScaleFilter=lanczos"]));

        Assert.Contains("'set'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("--StreamAnalytics:Section:Key=value", ex.Message, StringComparison.Ordinal);
        Assert.Equal("debug", CommandLine.BuildConfiguration(["--Logging:LogLevel:Default=debug"])["Logging:LogLevel:Default"]);
    }

    [Fact]
    public void A_bare_word_is_an_error_naming_it_and_a_value_after_its_key_is_not()
    {
        var ex = Assert.Throws<ArgumentException>(() => CommandLine.BuildConfiguration(["--StreamAnalytics:Mqtt:Port=2000", "lanczos"]));

        Assert.Contains("'lanczos'", ex.Message, StringComparison.Ordinal);
        Assert.Equal("area", CommandLine.BuildConfiguration(["--StreamAnalytics:Cameras:0:ScaleFilter", "area"])["StreamAnalytics:Cameras:0:ScaleFilter"]);
    }

    [Fact]
    public void A_missing_config_file_is_an_error_naming_it()
    {
        var missing = _dir.File("absent.json");

        var ex = Assert.Throws<FileNotFoundException>(() => CommandLine.BuildConfiguration(["--config", missing]));

        Assert.Contains(missing, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_without_a_file_name_is_an_error()
    {
        Assert.Throws<ArgumentException>(() => CommandLine.BuildConfiguration(["--config"]));
    }

    [Fact]
    public void FormatProblems_lists_each_problem_and_counts_them()
    {
        var text = CommandLine.FormatProblems(["first", "second"]);

        Assert.StartsWith("Configuration is invalid (2 problems):", text, StringComparison.Ordinal);
        Assert.Contains("  - first", text, StringComparison.Ordinal);
        Assert.Contains("  - second", text, StringComparison.Ordinal);
        Assert.StartsWith("Configuration is invalid (1 problem):", CommandLine.FormatProblems(["only"]), StringComparison.Ordinal);
    }
}
