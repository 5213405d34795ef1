using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;
using StreamAnalytics.Configuration;
using StreamAnalytics.Heads.Action;
using StreamAnalytics.Hosting;
using StreamAnalytics.Tests.Fakes;

namespace StreamAnalytics.Tests.Hosting;

public sealed class StreamAnalyticsAppTests
{
    private static IConfiguration Config(Dictionary<string, string?> values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values).Build();

    [Fact]
    public void Prepare_reports_every_mistake_and_loads_no_model()
    {
        var configuration = Config(new()
        {
            ["StreamAnalytics:Cameras:0:Id"] = "front",
            ["StreamAnalytics:Cameras:0:Url"] = "/data/front.mp4",
            ["StreamAnalytics:Cameras:0:Widht"] = "640",
            ["StreamAnalytics:Cameras:1:Id"] = "back",
            ["StreamAnalytics:Cameras:1:Url"] = "ftp://10.0.0.3/video",
            ["StreamAnalytics:Model:MaxBatch"] = "0",
        });

        var plan = StreamAnalyticsApp.Prepare(configuration, NullLoggerFactory.Instance);

        Assert.False(plan.IsValid);
        Assert.Null(plan.Model);
        Assert.Equal(3, plan.Problems.Count);
        Assert.Contains(plan.Problems, p => p.StartsWith("Cameras[0] (camera 'front').Widht: unknown setting", StringComparison.Ordinal));
        Assert.Contains(plan.Problems, p => p.StartsWith("Cameras[1] (camera 'back'): Url", StringComparison.Ordinal) && p.Contains("'ftp'", StringComparison.Ordinal));
        Assert.Contains(plan.Problems, p => p.StartsWith("Model.MaxBatch", StringComparison.Ordinal));
    }

    [Fact]
    public void Prepare_reports_manifest_problems_with_the_manifest_path()
    {
        var configuration = Config(new()
        {
            ["StreamAnalytics:Cameras:0:Id"] = "front",
            ["StreamAnalytics:Cameras:0:Url"] = "/data/front.mp4",
            ["StreamAnalytics:Model:Manifest"] = "/nonexistent/model.json",
            ["StreamAnalytics:Mqtt:Port"] = "0",
        });

        var plan = StreamAnalyticsApp.Prepare(configuration, NullLoggerFactory.Instance);

        Assert.False(plan.IsValid);
        Assert.Equal(2, plan.Problems.Count);
        Assert.Contains(plan.Problems, p => p.StartsWith("Mqtt.Port", StringComparison.Ordinal));
        Assert.Contains(plan.Problems, p => p.StartsWith("Model manifest '/nonexistent/model.json'", StringComparison.Ordinal) && p.Contains("does not exist", StringComparison.Ordinal));
    }

    [Fact]
    public void Prepare_reports_values_that_do_not_convert()
    {
        var configuration = Config(new()
        {
            ["StreamAnalytics:Cameras:0:Id"] = "front",
            ["StreamAnalytics:Cameras:0:Url"] = "/data/front.mp4",
            ["StreamAnalytics:Cameras:0:QueueCapacity"] = "lots",
            ["StreamAnalytics:Pipeline:DrainTimeoutSeconds"] = "soon",
        });

        var plan = StreamAnalyticsApp.Prepare(configuration, NullLoggerFactory.Instance);

        Assert.False(plan.IsValid);
        Assert.Equal(2, plan.Problems.Count);
        Assert.Contains("Cameras[0] (camera 'front').QueueCapacity: 'lots' is not a valid whole number.", plan.Problems);
        Assert.Contains("Pipeline.DrainTimeoutSeconds: 'soon' is not a valid number.", plan.Problems);
    }

    [Fact]
    public void Masks_and_zones_in_a_configuration_file_bind_and_every_bad_polygon_is_reported()
    {
        using var folder = new StreamAnalytics.Tests.Fakes.TempDirectory();
        var file = folder.Write("masks.json", """
            {
              "StreamAnalytics": {
                "Cameras": [
                  { "Id": "gate", "Url": "/data/gate.mp4",
                    "Masks": [ { "Name": "house", "Points": [[0.0, 0.0], [0.25, 0.0], [0.25, 0.5]] } ],
                    "Zones": [ { "Points": [[0.1, 0.1], [0.9, 0.1], [0.9, 0.9], [0.1, 0.9]] } ] },
                  { "Id": "yard", "Url": "/data/yard.mp4",
                    "Masks": [ { "Points": [[0.1, 0.1], [0.2, 0.2]] }, { "Points": [[0.1, 0.1], [1.2, 0.1], [0.5, 0.5]] } ],
                    "Snapshot": { "Enabled": true, "Mode": "base64", "MaxByte": 1000 } }
                ]
              }
            }
            """);

        var plan = StreamAnalyticsApp.Prepare(CommandLine.BuildConfiguration(["--config", file]), NullLoggerFactory.Instance);

        Assert.False(plan.IsValid);
        Assert.Equal(3, plan.Problems.Count);
        Assert.Contains(plan.Problems, p => p.StartsWith("Cameras[1] (camera 'yard').Snapshot.MaxByte: unknown setting", StringComparison.Ordinal));
        Assert.Contains("Cameras[1] (camera 'yard'): Masks[0]: a polygon needs at least 3 points (got 2).", plan.Problems);
        Assert.Contains(plan.Problems, p => p.StartsWith("Cameras[1] (camera 'yard'): Masks[1]: point 1 is (1.2, 0.1)", StringComparison.Ordinal));
        var gate = plan.Options.Cameras[0];
        Assert.Equal("house", Assert.Single(gate.Masks).Name);
        Assert.Equal([[0.0, 0.0], [0.25, 0.0], [0.25, 0.5]], gate.Masks[0].Points);
        Assert.Equal(4, Assert.Single(gate.Zones).Points.Count);
    }

    [Fact]
    public void Prepare_with_a_valid_configuration_loads_the_model()
    {
        var configuration = Config(new()
        {
            ["StreamAnalytics:Cameras:0:Id"] = "front",
            ["StreamAnalytics:Cameras:0:Url"] = "/data/front.mp4",
            ["StreamAnalytics:Model:IntraOpThreads"] = "1",
        });

        var plan = StreamAnalyticsApp.Prepare(configuration, NullLoggerFactory.Instance);

        Assert.Empty(plan.Problems);
        Assert.True(plan.IsValid);
        using var model = plan.Model!;
        Assert.Equal("resnet18-imagenet", model.Manifest.Name);
        Assert.Equal("front", Assert.Single(plan.Options.Cameras).Id);
    }

    private static Dictionary<string, string?> FightConfig(string backbone = "models/resnet18/model-featuremap.json") => new()
    {
        ["StreamAnalytics:Cameras:0:Id"] = "front",
        ["StreamAnalytics:Cameras:0:Url"] = "/data/front.mp4",
        ["StreamAnalytics:Cameras:1:Id"] = "gate",
        ["StreamAnalytics:Cameras:1:Url"] = "/data/gate.mp4",
        ["StreamAnalytics:Window:Length"] = "32",
        ["StreamAnalytics:Window:Subsample"] = "1",
        ["StreamAnalytics:Window:Hop"] = "8",
        ["StreamAnalytics:Model:Manifest"] = backbone,
        ["StreamAnalytics:Model:ActionHead"] = "models/fight/model.json",
        ["StreamAnalytics:Model:IntraOpThreads"] = "1",
    };

    [Fact]
    public void Prepare_loads_the_action_head_on_its_backbone()
    {
        var plan = StreamAnalyticsApp.Prepare(Config(FightConfig()), NullLoggerFactory.Instance);

        Assert.Empty(plan.Problems);
        using var model = plan.Model!;
        using var head = plan.Head<ActionHeadModule>().Head!;
        Assert.Equal(("fight-detector", 32), (head.Manifest.Name, head.Frames));
        Assert.Equal([512, 512 * 7 * 7], model.OutputItemSizes);
    }

    [Fact]
    public void Prepare_refuses_an_action_head_whose_window_length_differs_naming_the_camera()
    {
        var values = FightConfig();
        values["StreamAnalytics:Cameras:1:Window:Length"] = "16";
        values["StreamAnalytics:Cameras:1:Window:Hop"] = "4";
        values["StreamAnalytics:Mqtt:Port"] = "0";

        var plan = StreamAnalyticsApp.Prepare(Config(values), NullLoggerFactory.Instance);

        // Reported with the other problems, before any model is loaded.
        Assert.False(plan.IsValid);
        Assert.Null(plan.Model);
        Assert.Empty(plan.Heads);
        Assert.Equal(2, plan.Problems.Count);
        Assert.Contains(plan.Problems, p => p.StartsWith("Mqtt.Port", StringComparison.Ordinal));
        Assert.Contains(plan.Problems, p => p.StartsWith("Cameras[1] (camera 'gate'): Window.Length is 16 (from the camera's Window) but action head 'fight-detector'", StringComparison.Ordinal)
            && p.Contains("32 frames", StringComparison.Ordinal));
    }

    [Fact]
    public void Prepare_refuses_an_action_head_that_is_missing_or_lacks_its_onnx_file()
    {
        using var dir = new TempDirectory();
        var noOnnx = dir.Write("model.json", File.ReadAllText(ActionHeadFixture.HeadManifestPath));
        var values = FightConfig();

        values["StreamAnalytics:Model:ActionHead"] = "/nonexistent/fight/model.json";
        var missing = StreamAnalyticsApp.Prepare(Config(values), NullLoggerFactory.Instance);
        values["StreamAnalytics:Model:ActionHead"] = noOnnx;
        var withoutOnnx = StreamAnalyticsApp.Prepare(Config(values), NullLoggerFactory.Instance);

        Assert.Null(missing.Model);
        Assert.Equal("Model.ActionHead manifest '/nonexistent/fight/model.json': the file does not exist.", Assert.Single(missing.Problems));
        Assert.Null(withoutOnnx.Model);
        var problem = Assert.Single(withoutOnnx.Problems);
        Assert.StartsWith($"Model.ActionHead manifest '{noOnnx}': file: ONNX file '{dir.File("head.onnx")}' does not exist", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Prepare_refuses_an_action_head_on_a_backbone_without_the_feature_map_naming_both_manifests()
    {
        var plan = StreamAnalyticsApp.Prepare(Config(FightConfig(backbone: "models/resnet18/model.json")), NullLoggerFactory.Instance);

        Assert.False(plan.IsValid);
        Assert.Null(plan.Model);
        var problem = Assert.Single(plan.Problems);
        Assert.StartsWith($"Model.ActionHead manifest '{ActionHeadFixture.HeadManifestPath}': backbone manifest '{Path.Combine(AppContext.BaseDirectory, "models/resnet18/model.json")}'", problem, StringComparison.Ordinal);
        Assert.Contains("featureMap", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ResolvePath_falls_back_to_the_install_folder()
    {
        Assert.Equal(Path.Combine(AppContext.BaseDirectory, "models/resnet18/model.json"), ConfiguredPath.Resolve("models/resnet18/model.json"));
        Assert.Equal("/abs/model.json", ConfiguredPath.Resolve("/abs/model.json"));
        Assert.Equal(Path.GetFullPath("no/such/file.json"), ConfiguredPath.Resolve("no/such/file.json"));
    }
}
