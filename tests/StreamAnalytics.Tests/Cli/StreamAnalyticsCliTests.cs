using Microsoft.Extensions.Logging.Abstractions;
using StreamAnalytics.Cli;
using StreamAnalytics.Tests.Fakes;

namespace StreamAnalytics.Tests.Cli;

/// <summary>The verb tree as an operator meets it: help, usage errors and the default verb. Nothing here decodes video.</summary>
public sealed class StreamAnalyticsCliTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static async Task<(int Code, string Output, string Error)> Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await StreamAnalyticsCli.InvokeAsync(args, new VerbConsole(output, error, NullLoggerFactory.Instance));
        return (code, output.ToString(), error.ToString());
    }

    public static TheoryData<string, string[]> VerbsAndTheirOptions => new()
    {
        { "run", ["--config"] },
        { "check", ["--config"] },
        { "learn", ["--out", "--input", "--camera"] },
        { "score anomaly", ["--state", "--input", "--out"] },
        { "eval anomaly", ["--state", "--labels", "--report"] },
        { "features action", ["--manifest", "--out", "--frames", "--backbone"] },
        { "score action", ["--model", "--input", "--out", "--backbone"] },
        { "eval action", ["--model", "--manifest", "--features", "--report", "--backbone"] },
    };

    [Theory]
    [MemberData(nameof(VerbsAndTheirOptions))]
    public async Task Help_of_each_verb_prints_its_usage_and_options_and_exits_0(string verb, string[] options)
    {
        var (code, output, error) = await Run([.. verb.Split(' '), "--help"]);

        Assert.True(code == 0, error);
        Assert.Contains($"streamanalytics {verb} [options]", output, StringComparison.Ordinal);
        Assert.All(options, o => Assert.Contains(o, output, StringComparison.Ordinal));
        Assert.Empty(error);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public async Task Help_without_a_verb_lists_every_verb(string help)
    {
        var (code, output, _) = await Run(help);

        Assert.Equal(0, code);
        Assert.All(["run", "check", "learn", "score", "eval", "features"], v => Assert.Contains($"  {v} ", output, StringComparison.Ordinal));
        Assert.Contains("Exit codes", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--bogus", "learn", "--out", "s", "--input", "a.mp4", "--camera", "c", "--bogus")]
    [InlineData("--bogus", "learn", "--out", "s", "--input", "a.mp4", "b.mp4", "--bogus")] // not taken as a third input
    [InlineData("--bogus", "score", "anomaly", "--state", "s", "--input", "v.mp4", "--out", "o.csv", "--bogus", "1")]
    [InlineData("--bogus", "eval", "action", "--model", "m.json", "--features", "f.csv", "--bogus")]
    [InlineData("bogus", "bogus")]
    [InlineData("nonsense", "score", "nonsense")]
    public async Task An_unknown_option_or_verb_exits_2_naming_it(string named, params string[] args)
    {
        var (code, output, error) = await Run(args);

        Assert.Equal(2, code);
        Assert.Contains($"'{named}'", error, StringComparison.Ordinal);
        Assert.Contains("Usage:", error, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Theory]
    [InlineData("--out", "learn", "--input", "a.mp4")]
    [InlineData("--input", "learn", "--out", "s")]
    [InlineData("--state", "score", "anomaly", "--input", "v.mp4", "--out", "o.csv")]
    [InlineData("--labels", "eval", "anomaly", "--state", "s")]
    [InlineData("--model", "score", "action", "--input", "v.mp4", "--out", "o.csv")]
    [InlineData("--manifest", "features", "action", "--out", "f.csv")]
    [InlineData("--features", "eval", "action", "--model", "m.json")]
    [InlineData("--config", "check", "--config")]
    public async Task A_missing_required_option_or_value_exits_2_naming_it(string named, params string[] args)
    {
        var (code, output, error) = await Run(args);

        Assert.Equal(2, code);
        Assert.Contains(named, error, StringComparison.Ordinal);
        Assert.Empty(output);
    }

    [Theory]
    [InlineData("features", "action", "--manifest", "c.csv", "--out", "f.csv", "--frames", "1")]
    [InlineData("features", "action", "--manifest", "c.csv", "--out", "f.csv", "--frames", "many")]
    [InlineData("score", "anomaly", "--state", "a", "--state", "b", "--input", "v.mp4", "--out", "o.csv")]
    [InlineData("eval", "action", "--model", "m.json", "--manifest", "c.csv", "--features", "f.csv")]
    [InlineData("learn", "--out", "", "--input", "a.mp4")]
    public async Task Bad_option_values_exit_2_naming_the_option(params string[] args)
    {
        var (code, _, error) = await Run(args);

        Assert.Equal(2, code);
        Assert.Matches("--(frames|state|manifest|out)", error);
    }

    /// <summary>Options first, or none, means run; its overrides reach the configuration (a bad one is then reported by the checks).</summary>
    [Fact]
    public async Task Run_is_the_default_verb_and_overrides_pass_through_to_the_configuration()
    {
        var missing = _dir.File("absent.json");
        var (code, _, error) = await Run("--config", missing);

        Assert.Equal(2, code);
        Assert.Contains("Configuration cannot be read", error, StringComparison.Ordinal);
        Assert.Contains(missing, error, StringComparison.Ordinal);

        var config = _dir.Write("site.json", """{ "StreamAnalytics": { "Cameras": [ { "Id": "gate", "Url": "rtsp://10.1.1.1/s" } ] } }""");
        string[][] overridden =
        [
            ["--config", config, "--StreamAnalytics:Cameras:0:Url=ftp://example/video"],
            ["check", $"--config={config}", "--StreamAnalytics:Cameras:0:Url", "ftp://example/video"],
        ];
        foreach (var args in overridden)
        {
            (code, _, error) = await Run(args);

            Assert.Equal(2, code);
            Assert.Contains("camera 'gate'", error, StringComparison.Ordinal);
            Assert.Contains("scheme 'ftp' is not supported", error, StringComparison.Ordinal);
        }
    }
}
