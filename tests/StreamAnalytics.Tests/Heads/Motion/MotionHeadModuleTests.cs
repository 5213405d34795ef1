using Microsoft.Extensions.Logging;
using Prometheus;
using StreamAnalytics.Configuration;
using StreamAnalytics.Heads;
using StreamAnalytics.Heads.Motion;
using StreamAnalytics.Observability;
using StreamAnalytics.Tests.Fakes;

namespace StreamAnalytics.Tests.Heads.Motion;

public sealed class MotionHeadModuleTests : IDisposable
{
    private readonly TempDirectory _state = new();
    private readonly CapturingLogger _log = new();

    public void Dispose() => _state.Dispose();

    private StreamAnalyticsOptions Options(params CameraOptions[] cameras)
    {
        var options = new StreamAnalyticsOptions { Cameras = [.. cameras] };
        options.Pipeline.StateDirectory = _state.Path;
        return options;
    }

    private MotionHeadModule Start(StreamAnalyticsOptions options, List<string> problems)
    {
        var module = new MotionHeadModule();
        module.Check(new HeadContext(options, null, LoggerFactory.Create(_ => { })), problems);
        Assert.Null(module.CreateWindowHead(new PipelineMetrics(Metrics.NewCustomRegistry()), new CapturingLoggerFactory(_log)));
        return module;
    }

    private static MotionNormalityModel Learned(MotionFeatureOptions features, string cameraId, DateTimeOffset createdAt)
    {
        var random = new Random(5);
        var videos = Enumerable.Range(0, 2)
            .Select(_ => (IReadOnlyList<float[]>)Enumerable.Range(0, 20).Select(_ => Enumerable.Range(0, features.FeatureLength).Select(_ => (float)random.NextDouble()).ToArray()).ToList())
            .ToList();
        return MotionNormalityLearner.Learn(videos, features, new MotionNormalityOptions(), cameraId, createdAt);
    }

    [Fact]
    public void A_camera_without_a_state_learns_first_and_reports_its_progress()
    {
        var problems = new List<string>();
        using var module = Start(Options(new CameraOptions { Id = "gate", LearningMinutes = 2 }), problems);

        using var head = Assert.IsType<MotionAnomalyHead>(module.CreateFrameHead(new CameraOptions { Id = "gate", LearningMinutes = 2 }));

        Assert.Empty(problems);
        Assert.Null(head.Model);
        Assert.Equal(0, module.LearningProgress("gate"));
        Assert.Null(module.LearningProgress("other"));
        Assert.Contains(_log.Entries, e => e.Message.Contains("learning what normal motion looks like from its first 2 minutes", StringComparison.Ordinal));
    }

    [Fact]
    public void A_saved_state_resumes_the_camera_without_learning_again()
    {
        var saved = Learned(new MotionFeatureOptions(), "gate", DateTimeOffset.UtcNow);
        MotionStateFile.Save(saved, MotionHeadModule.StatePath(_state.Path, "gate"));
        var problems = new List<string>();
        var camera = new CameraOptions { Id = "gate" };
        using var module = Start(Options(camera), problems);

        using var head = Assert.IsType<MotionAnomalyHead>(module.CreateFrameHead(camera));

        Assert.Empty(problems);
        Assert.NotNull(head.Model);
        Assert.Equal(saved.Threshold, head.Model.Threshold);
        Assert.Equal(1, module.LearningProgress("gate"));
        Assert.Contains(_log.Entries, e => e.Message.Contains("resumes from its saved state", StringComparison.Ordinal));
    }

    [Fact]
    public void A_saved_state_learned_with_other_settings_is_refused_with_a_clear_message_and_the_camera_learns_again()
    {
        var other = new MotionFeatureOptions { AnalysisWidth = 64, AnalysisHeight = 64, CellSize = 32, CellStride = 32 };
        MotionStateFile.Save(Learned(other, "gate", DateTimeOffset.UtcNow), MotionHeadModule.StatePath(_state.Path, "gate"));
        var problems = new List<string>();
        var camera = new CameraOptions { Id = "gate" };
        using var module = Start(Options(camera), problems);

        using var head = Assert.IsType<MotionAnomalyHead>(module.CreateFrameHead(camera));

        // Not a configuration error (nothing for the operator to fix): said once, and learned again.
        Assert.Empty(problems);
        Assert.Null(head.Model);
        var warning = Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("saved motion state is refused", warning.Message, StringComparison.Ordinal);
        Assert.Contains("other motion feature settings", warning.Message, StringComparison.Ordinal);
        Assert.Contains("analysis 64x64", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_saved_state_learned_at_another_measurement_rate_is_refused_and_the_camera_learns_again()
    {
        MotionStateFile.Save(Learned(new MotionFeatureOptions(), "gate", DateTimeOffset.UtcNow), MotionHeadModule.StatePath(_state.Path, "gate"));
        var problems = new List<string>();
        var camera = new CameraOptions { Id = "gate" };
        var options = Options(camera);
        options.Detection.Motion.MaxFps = 5;
        using var module = Start(options, problems);

        using var head = Assert.IsType<MotionAnomalyHead>(module.CreateFrameHead(camera));

        Assert.Empty(problems);
        Assert.Null(head.Model);
        var warning = Assert.Single(_log.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("at most 10 measurements/s", warning.Message, StringComparison.Ordinal);
        Assert.Contains("at most 5 measurements/s", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_offline_seed_with_other_settings_is_a_configuration_error_naming_the_camera()
    {
        var other = new MotionFeatureOptions { AnalysisWidth = 64, AnalysisHeight = 64, CellSize = 32, CellStride = 32 };
        var seed = _state.File("seed.state");
        MotionStateFile.Save(Learned(other, "gate", DateTimeOffset.UtcNow), seed);
        var problems = new List<string>();

        using var module = Start(Options(new CameraOptions { Id = "gate", MotionState = seed }), problems);

        var problem = Assert.Single(problems);
        Assert.StartsWith("Camera 'gate': MotionState", problem, StringComparison.Ordinal);
        Assert.Contains("other motion feature settings", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_newer_of_an_offline_seed_and_the_saved_state_is_used()
    {
        var seedModel = Learned(new MotionFeatureOptions(), "gate", new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        var seed = _state.File("seed.state");
        MotionStateFile.Save(seedModel, seed);
        var refined = Learned(new MotionFeatureOptions(), "gate", new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero));
        MotionStateFile.Save(refined, MotionHeadModule.StatePath(_state.Path, "gate"));
        var camera = new CameraOptions { Id = "gate", MotionState = seed };
        using var module = Start(Options(camera), []);

        using var head = Assert.IsType<MotionAnomalyHead>(module.CreateFrameHead(camera));

        Assert.Equal(refined.CreatedAt, head.Model!.CreatedAt);
    }

    [Fact]
    public void A_removed_camera_loses_its_saved_state_so_a_new_camera_under_its_id_learns_its_own_scene()
    {
        var path = MotionHeadModule.StatePath(_state.Path, "gate");
        MotionStateFile.Save(Learned(new MotionFeatureOptions(), "gate", DateTimeOffset.UtcNow), path);
        var camera = new CameraOptions { Id = "gate" };
        using var module = Start(Options(camera), []);
        module.CreateFrameHead(camera)?.Dispose();

        module.Forget("gate");

        Assert.False(File.Exists(path));
        Assert.Null(module.LearningProgress("gate"));
    }

    [Fact]
    public void With_motion_off_only_a_seeded_camera_has_a_motion_head()
    {
        var seed = _state.File("seed.state");
        MotionStateFile.Save(Learned(new MotionFeatureOptions(), "seeded", DateTimeOffset.UtcNow), seed);
        var options = Options(new CameraOptions { Id = "seeded", MotionState = seed }, new CameraOptions { Id = "plain" });
        options.Detection.Motion.Enabled = false;
        using var module = Start(options, []);

        using var seeded = module.CreateFrameHead(options.Cameras[0]);
        Assert.NotNull(Assert.IsType<MotionAnomalyHead>(seeded).Model);
        Assert.Null(module.CreateFrameHead(options.Cameras[1]));
    }
}
