using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using StreamAnalytics.Cli;
using StreamAnalytics.Detection;
using StreamAnalytics.Heads.Motion;
using StreamAnalytics.Tests.Fakes;

namespace StreamAnalytics.Tests.Hosting;

[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class OfflineCommandsTests(OfflineAnomalyFixture fixture) : IClassFixture<OfflineAnomalyFixture>, IDisposable
{
    /// <summary>test01's labelled anomaly: frames 61–180 (1-based, inclusive).</summary>
    private const int FirstAnomalousFrame = 61;
    private const int Test01Frames = 180;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static List<(long Frame, double Score)> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        Assert.Equal("frame,score", lines[0]);
        return lines.Skip(1).Select(line =>
        {
            var parts = line.Split(',');
            Assert.Equal(2, parts.Length);
            return (long.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture));
        }).ToList();
    }

    /// <summary>A labels.json next to a link to test01.mp4, as eval expects videos beside their labels.</summary>
    private string WriteLabels(int frames)
    {
        File.CreateSymbolicLink(_dir.File("test01.mp4"), OfflineAnomalyFixture.Test01);
        return _dir.Write("labels.json", $$"""
            { "fps": 10, "videos": { "test01.mp4": { "frames": {{frames}}, "anomalous_frames": [[{{FirstAnomalousFrame}}, {{Test01Frames}}]] } } }
            """);
    }

    private static async Task<(int Code, string Output, string Error)> Run(Func<TextWriter, TextWriter, Task<int>> command)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await command(output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Learn_writes_a_state_for_the_camera_with_the_default_feature_settings()
    {
        Assert.True(fixture.LearnExitCode == 0, fixture.LearnOutput);
        Assert.Contains("Learned camera 'walkway' from 2 videos", fixture.LearnOutput);

        var model = MotionStateFile.Load(fixture.StatePath, new MotionFeatureOptions());

        Assert.Equal("walkway", model.CameraId);
        Assert.Equal(2, model.TrainingVideos);
        Assert.Equal(120 + 150 - 2, model.TrainingFrames); // a clip's first frame has no motion
        Assert.True(model.Threshold > 0);
    }

    [Fact]
    public async Task A_lower_measurement_rate_measures_every_second_frame_of_10_fps_footage_offline_as_live()
    {
        var state = _dir.File("half.state");
        var csv = _dir.File("half.csv");

        var (learned, learnOutput, learnError) = await Run((o, e) => StreamAnalyticsCli.InvokeAsync(["learn", "--out", state, "--camera", "walkway", "--max-fps", "5", "--input", SharedData.Path("ucsd-ped2", "train", "train01.mp4")], new VerbConsole(o, e, NullLoggerFactory.Instance)));
        var (scored, _, scoreError) = await Run((o, e) => StreamAnalyticsCli.InvokeAsync(["score", "anomaly", "--state", state, "--input", OfflineAnomalyFixture.Test01, "--out", csv], new VerbConsole(o, e, NullLoggerFactory.Instance)));

        Assert.True(learned == 0, learnOutput + learnError);
        Assert.True(scored == 0, scoreError);
        var model = MotionStateFile.Load(state);
        Assert.Equal(5, model.FeatureOptions.MaxFps);

        // Footage time, not decoding speed, picks the frames: of train01's 120, the first 19 while the rate is learned
        // and confirmed, then every second one from frame 21 (69 in all), the first with nothing to compare.
        Assert.Equal(19 + 50 - 1, model.TrainingFrames);
        var rows = ReadCsv(csv);
        Assert.Equal(Test01Frames, rows.Count);
        for (var i = 20; i + 1 < rows.Count; i += 2)
        {
            Assert.Equal(rows[i].Score, rows[i + 1].Score);
        }

        Assert.True(rows.Skip(20).Where((_, i) => i % 2 == 0).Zip(rows.Skip(22).Where((_, i) => i % 2 == 0)).Count(p => p.First.Score != p.Second.Score) > 40, "successive measurements should differ");
        Assert.Throws<InvalidDataException>(() => MotionStateFile.Load(state, new MotionFeatureOptions()));
    }

    [Fact]
    public void Score_writes_one_row_per_decoded_frame_numbered_from_one()
    {
        Assert.Equal(0, fixture.ScoreExitCode);

        var rows = ReadCsv(fixture.CsvPath);

        Assert.Equal(Enumerable.Range(1, Test01Frames).Select(i => (long)i), rows.Select(r => r.Frame));
        Assert.All(rows, r => Assert.True(double.IsFinite(r.Score) && r.Score >= 0, $"frame {r.Frame}: {r.Score}"));
        Assert.Equal(0, rows[0].Score); // nothing to compare the first frame with
    }

    [Fact]
    public async Task Scoring_the_same_video_twice_gives_an_identical_file()
    {
        var again = _dir.File("again.csv");

        var (code, _, error) = await Run((o, e) => StreamAnalyticsCli.InvokeAsync(["score", "anomaly", "--state", fixture.StatePath, "--input", OfflineAnomalyFixture.Test01, "--out", again], new VerbConsole(o, e, NullLoggerFactory.Instance)));

        Assert.True(code == 0, error);
        Assert.Equal(File.ReadAllBytes(fixture.CsvPath), File.ReadAllBytes(again));
    }

    [Fact]
    public void The_labelled_anomaly_scores_far_higher_than_the_normal_frames()
    {
        var rows = ReadCsv(fixture.CsvPath);

        var normal = rows.Where(r => r.Frame < FirstAnomalousFrame).Average(r => r.Score);
        var anomalous = rows.Where(r => r.Frame >= FirstAnomalousFrame).Average(r => r.Score);

        Assert.True(anomalous > 2 * normal, $"mean score {anomalous:0.###} inside the anomaly, {normal:0.###} before it");
    }

    [Fact]
    public async Task Eval_prints_and_reports_the_frame_auc_of_the_same_scores_as_score()
    {
        var labels = WriteLabels(Test01Frames);
        var report = _dir.File("report.json");

        var (code, output, error) = await Run((o, e) => StreamAnalyticsCli.InvokeAsync(["eval", "anomaly", "--state", fixture.StatePath, "--labels", labels, "--report", report], new VerbConsole(o, e, NullLoggerFactory.Instance)));

        Assert.True(code == 0, error);
        Assert.Contains("Micro (pooled) frame AUC:", output);
        using var json = JsonDocument.Parse(File.ReadAllBytes(report));
        var root = json.RootElement;
        var micro = root.GetProperty("microAuc").GetDouble();
        var video = root.GetProperty("videos")[0];
        Assert.Equal("test01.mp4", video.GetProperty("name").GetString());
        Assert.Equal(120, video.GetProperty("anomalousFrames").GetInt32());
        Assert.Equal(micro, video.GetProperty("auc").GetDouble());
        Assert.True(micro > 0.8, $"AUC {micro}");

        // The report's keys, in order, as docs/models.md knows them.
        Assert.Equal(
            ["schemaVersion", "task", "metric", "state", "labels", "model", "microAuc", "microAucRaw", "frames", "anomalousFrames", "truePositiveRateAtThreshold", "falsePositiveRateAtThreshold", "millisecondsPerFrame", "videos", "events"],
            Keys(root));

        // Event level, through the live window schedule and incident tracker: test01's cyclist raises an incident.
        Assert.Contains("Events (window 8/2/4, default lifecycle, 10 fps): 1 of 1 anomalous segments raised an incident", output);
        var events = root.GetProperty("events");
        Assert.Equal(["window", "fps", "segments", "segmentsWithIncident", "secondsToAlert", "incidents", "falseIncidents", "normalSeconds", "falseIncidentsPerHour"], Keys(events));
        Assert.Equal((1, 1), (events.GetProperty("segments").GetInt32(), events.GetProperty("segmentsWithIncident").GetInt32()));
        var toAlert = events.GetProperty("secondsToAlert")[0].GetDouble();
        Assert.InRange(toAlert, 0, 5);
        Assert.Equal(6.0, events.GetProperty("normalSeconds").GetDouble());
        Assert.Equal(1, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(["cameraId", "createdAt", "features", "framesStored", "trainingFrames", "trainingVideos", "smoothingFrames", "thresholdQuantile", "threshold", "memoryBytes"], Keys(root.GetProperty("model")));
        Assert.Equal(["name", "frames", "anomalousFrames", "auc", "aucRaw", "meanScoreNormal", "meanScoreAnomalous"], Keys(video));

        // eval scores exactly what score wrote.
        var rows = ReadCsv(fixture.CsvPath);
        var expected = RocAuc.Compute(rows.Select(r => r.Score).ToArray(), rows.Select(r => r.Frame >= FirstAnomalousFrame).ToArray());
        Assert.Equal(expected, micro);

        static string[] Keys(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];
    }

    [Fact]
    public async Task Eval_fails_when_the_labels_count_other_frames_than_were_decoded()
    {
        var labels = WriteLabels(Test01Frames + 1);

        var (code, _, error) = await Run((o, e) => StreamAnalyticsCli.InvokeAsync(["eval", "anomaly", "--state", fixture.StatePath, "--labels", labels, "--report", _dir.File("r.json")], new VerbConsole(o, e, NullLoggerFactory.Instance)));

        Assert.Equal(1, code);
        Assert.Contains("decoded to 180 frames but the labels say 181", error);
    }

    [Theory]
    [InlineData("learn", "--input", "x.mp4")]                      // --out missing
    [InlineData("learn", "--out", "s", "--input", "a", "--bogus", "1")]
    [InlineData("learn", "--out", "s", "--input", "does-not-exist.mp4")]
    [InlineData("learn", "--out", "s", "--max-fps", "-1", "--input", "x.mp4")]
    [InlineData("score", "--state", "missing.state", "--input", "v.mp4", "--out", "o.csv")]
    [InlineData("eval", "--state", "missing.state", "--labels", "labels.json")]
    [InlineData("score", "--state", "a", "--state", "b", "--input", "v.mp4", "--out", "o.csv")]
    public async Task Bad_arguments_exit_with_2_and_say_why(string verb, params string[] args)
    {
        var (code, _, error) = await Run((o, e) => verb switch
        {
            "learn" => StreamAnalyticsCli.InvokeAsync(["learn", .. args], new VerbConsole(o, e, NullLoggerFactory.Instance)),
            "score" => StreamAnalyticsCli.InvokeAsync(["score", "anomaly", .. args], new VerbConsole(o, e, NullLoggerFactory.Instance)),
            _ => StreamAnalyticsCli.InvokeAsync(["eval", "anomaly", .. args], new VerbConsole(o, e, NullLoggerFactory.Instance)),
        });

        Assert.Equal(2, code);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public async Task A_file_that_is_not_a_video_fails_instead_of_being_retried()
    {
        var notVideo = _dir.Write("notes.mp4", "not a video");

        var (code, _, error) = await Run((o, e) => StreamAnalyticsCli.InvokeAsync(["score", "anomaly", "--state", fixture.StatePath, "--input", notVideo, "--out", _dir.File("o.csv")], new VerbConsole(o, e, NullLoggerFactory.Instance)));

        Assert.Equal(1, code);
        Assert.Contains("could not be decoded", error);
        Assert.False(File.Exists(_dir.File("o.csv")));
    }

    [Fact]
    public async Task A_cancelled_command_writes_nothing_and_exits_with_1()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var state = _dir.File("cancelled.state");

        var (code, _, error) = await Run((o, e) => StreamAnalyticsCli.InvokeAsync(["learn", "--out", state, "--input", OfflineAnomalyFixture.Test01], new VerbConsole(o, e, NullLoggerFactory.Instance), cancelled.Token));

        Assert.Equal(1, code);
        Assert.Contains("Cancelled", error);
        Assert.False(File.Exists(state));
    }

    [Fact]
    public async Task Replay_plays_footage_as_a_live_camera_learning_first_and_counts_the_incidents_after_learning()
    {
        var quietReport = _dir.File("quiet.json");
        var cyclistReport = _dir.File("cyclist.json");
        var train01 = SharedData.Path("ucsd-ped2", "train", "train01.mp4");

        // Normal footage: six seconds learned, the other six scored.
        var (code, output, error) = await Run((o, e) => StreamAnalyticsCli.InvokeAsync(["replay", "anomaly", "--input", train01, "--fps", "10", "--learning-minutes", "0.1", "--report", quietReport], new VerbConsole(o, e, NullLoggerFactory.Instance)));
        Assert.True(code == 0, error + output);
        Assert.Contains("Played 120 frames (12.0 s at 10 fps) as one camera: learned after 6.", output, StringComparison.Ordinal);
        var quiet = JsonDocument.Parse(File.ReadAllBytes(quietReport)).RootElement;
        Assert.Equal(120, quiet.GetProperty("frames").GetInt64());
        // Six seconds of motion: the first frame has none, and the model scores from the frame after the sixth second.
        Assert.InRange(quiet.GetProperty("learnedAfterSeconds").GetDouble(), 6.0, 6.5);
        Assert.Equal(12.0, quiet.GetProperty("learnedAfterSeconds").GetDouble() + quiet.GetProperty("scoredSeconds").GetDouble(), 1);
        Assert.True(quiet.GetProperty("threshold").GetDouble() > 0);
        // Twelve seconds: the first model only, neither refreshed nor rebuilt for a lasting change.
        Assert.Equal(0, quiet.GetProperty("refreshes").GetInt32());
        Assert.Equal(0, quiet.GetProperty("lastingChanges").GetInt32());

        // test01: six normal seconds learned, then a cyclist crosses (frame 61 on): the same replay raises an incident on it.
        (code, output, error) = await Run((o, e) => StreamAnalyticsCli.InvokeAsync(["replay", "anomaly", "--input", OfflineAnomalyFixture.Test01, "--fps", "10", "--learning-minutes", "0.1", "--report", cyclistReport], new VerbConsole(o, e, NullLoggerFactory.Instance)));
        Assert.True(code == 0, error + output);
        var incidents = JsonDocument.Parse(File.ReadAllBytes(cyclistReport)).RootElement.GetProperty("incidents");
        Assert.True(incidents.GetArrayLength() > 0, output);
        Assert.All(incidents.EnumerateArray(), i => Assert.True(i.GetProperty("alertSecond").GetDouble() >= 6.0, output));
    }

    [Fact]
    public async Task Replay_refuses_a_missing_input_and_out_of_range_settings_with_exit_code_2()
    {
        var (code, _, error) = await Run((o, e) => StreamAnalyticsCli.InvokeAsync(["replay", "anomaly", "--input", _dir.File("missing.mp4"), "--fps", "10"], new VerbConsole(o, e, NullLoggerFactory.Instance)));
        Assert.Equal(2, code);
        Assert.Contains("missing.mp4", error, StringComparison.Ordinal);

        (code, _, error) = await Run((o, e) => StreamAnalyticsCli.InvokeAsync(["replay", "anomaly", "--input", OfflineAnomalyFixture.Test01, "--fps", "0"], new VerbConsole(o, e, NullLoggerFactory.Instance)));
        Assert.Equal(2, code);
        Assert.Contains("--fps must be above 0", error, StringComparison.Ordinal);
    }
}
