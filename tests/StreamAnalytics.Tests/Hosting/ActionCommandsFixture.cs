using Microsoft.Extensions.Logging.Abstractions;
using StreamAnalytics.Cli;
using StreamAnalytics.Tests.Fakes;

namespace StreamAnalytics.Tests.Hosting;

/// <summary>
/// Runs the action commands once on six short real clips (three fight, three noFight; 20–31 frames each,
/// a few seconds of CPU in all) so that the tests of the action verbs share the cost. The clips
/// are linked into a temporary folder next to their manifest, whose paths are relative to it as in
/// ../shared/data/surveillance-fight/manifest.csv.
/// </summary>
public sealed class ActionCommandsFixture : IAsyncLifetime
{
    public static readonly (string Path, string Label)[] Clips =
    [
        ("fight/fi086.mp4", "fight"),
        ("fight/fi133.mp4", "fight"),
        ("fight/fi149.mp4", "fight"),
        ("noFight/nofi049.mp4", "noFight"),
        ("noFight/nofi102.mp4", "noFight"),
        ("noFight/nofi104.mp4", "noFight"),
    ];

    public TempDirectory Directory { get; } = new();

    public string ManifestPath => Directory.File("clips.csv");

    public string ReportPath => Directory.File("eval.json");

    public string ScorePath => Directory.File("score.csv");

    public string ScoreAgainPath => Directory.File("score-again.csv");

    public string FeaturesPath => Directory.File("features/FEATURES.csv");

    public string FeaturesReportPath => Directory.File("eval-features.json");

    public (int Code, string Output, string Error) Eval { get; private set; }

    public (int Code, string Output, string Error) Score { get; private set; }

    public (int Code, string Output, string Error) ScoreAgain { get; private set; }

    public (int Code, string Output, string Error) Features { get; private set; }

    public (int Code, string Output, string Error) EvalFeatures { get; private set; }

    public static string Model => ActionHeadFixture.HeadManifestPath;

    public async Task InitializeAsync()
    {
        foreach (var folder in new[] { "fight", "noFight" })
        {
            System.IO.Directory.CreateDirectory(Directory.File(folder));
        }

        foreach (var (path, _) in Clips)
        {
            File.CreateSymbolicLink(Directory.File(path), SharedData.Path("surveillance-fight", path));
        }

        Directory.Write("clips.csv", "path,label\n" + string.Concat(Clips.Select(c => $"{c.Path},{c.Label}\n")));
        Directory.Write("two.csv", "path,label\nfight/fi133.mp4,fight\nnoFight/nofi102.mp4,noFight\n");

        Eval = await Run((o, e) => StreamAnalyticsCli.InvokeAsync(["eval", "action", "--model", Model, "--manifest", ManifestPath, "--report", ReportPath], new VerbConsole(o, e, NullLoggerFactory.Instance)));
        Score = await Run((o, e) => StreamAnalyticsCli.InvokeAsync(["score", "action", "--model", Model, "--input", Directory.File(Clips[0].Path), "--out", ScorePath], new VerbConsole(o, e, NullLoggerFactory.Instance)));
        ScoreAgain = await Run((o, e) => StreamAnalyticsCli.InvokeAsync(["score", "action", "--model", Model, "--input", Directory.File(Clips[0].Path), "--out", ScoreAgainPath], new VerbConsole(o, e, NullLoggerFactory.Instance)));
        Features = await Run((o, e) => StreamAnalyticsCli.InvokeAsync(["features", "action", "--manifest", Directory.File("two.csv"), "--out", FeaturesPath], new VerbConsole(o, e, NullLoggerFactory.Instance)));
        EvalFeatures = await Run((o, e) => StreamAnalyticsCli.InvokeAsync(["eval", "action", "--model", Model, "--features", FeaturesPath, "--report", FeaturesReportPath], new VerbConsole(o, e, NullLoggerFactory.Instance)));
    }

    public static async Task<(int Code, string Output, string Error)> Run(Func<TextWriter, TextWriter, Task<int>> command)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await command(output, error);
        return (code, output.ToString(), error.ToString());
    }

    public Task DisposeAsync()
    {
        Directory.Dispose();
        return Task.CompletedTask;
    }
}
