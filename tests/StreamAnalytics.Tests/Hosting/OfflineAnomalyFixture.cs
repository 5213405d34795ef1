using Microsoft.Extensions.Logging.Abstractions;
using StreamAnalytics.Cli;
using StreamAnalytics.Tests.Fakes;

namespace StreamAnalytics.Tests.Hosting;

/// <summary>
/// Learns once from two short Ped2 training clips and scores test01 once, through the real commands,
/// so the tests of the anomaly verbs (<c>learn</c>, <c>score anomaly</c>, <c>eval anomaly</c>) share the few seconds that decoding and flow cost.
/// </summary>
public sealed class OfflineAnomalyFixture : IAsyncLifetime
{
    public TempDirectory Directory { get; } = new();

    public string StatePath => Directory.File("walkway.motion");

    public string CsvPath => Directory.File("test01.csv");

    public static string Test01 => SharedData.Path("ucsd-ped2", "test", "test01.mp4");

    public int LearnExitCode { get; private set; }

    public string LearnOutput { get; private set; } = string.Empty;

    public int ScoreExitCode { get; private set; }

    public async Task InitializeAsync()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        LearnExitCode = await StreamAnalyticsCli.InvokeAsync(
            ["learn", "--camera", "walkway", "--out", StatePath, "--input", SharedData.Path("ucsd-ped2", "train", "train01.mp4"), SharedData.Path("ucsd-ped2", "train", "train02.mp4")],
            new VerbConsole(output, error, NullLoggerFactory.Instance));
        LearnOutput = output + error.ToString();
        ScoreExitCode = await StreamAnalyticsCli.InvokeAsync(["score", "anomaly", "--state", StatePath, "--input", Test01, "--out", CsvPath], new VerbConsole(output, error, NullLoggerFactory.Instance));
    }

    public Task DisposeAsync()
    {
        Directory.Dispose();
        return Task.CompletedTask;
    }
}
