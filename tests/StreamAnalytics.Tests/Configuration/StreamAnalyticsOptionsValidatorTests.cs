using StreamAnalytics.Configuration;
using StreamAnalytics.Heads.Action;
using StreamAnalytics.Inference;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Configuration;

public sealed class StreamAnalyticsOptionsValidatorTests
{
    private static CameraOptions Camera(string id, string url = "/data/video.mp4") => new() { Id = id, Url = url };

    private static StreamAnalyticsOptions Valid() => new() { Cameras = [Camera("front"), Camera("back", "rtsp://user:pw@10.0.0.2/stream")] };

    [Fact]
    public void The_defaults_with_one_camera_are_valid()
    {
        Assert.Empty(StreamAnalyticsOptionsValidator.Collect(Valid()));
        Assert.True(new StreamAnalyticsOptionsValidator().Validate(null, Valid()).Succeeded);
    }

    [Fact]
    public void Every_camera_mistake_is_reported_at_once_naming_its_camera()
    {
        var options = Valid();
        options.Cameras[0].Width = 641;
        options.Cameras[0].RtspTransport = "sctp";
        options.Cameras[1].Url = "http://10.0.0.2/stream";

        var errors = StreamAnalyticsOptionsValidator.Collect(options);

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Contains("camera 'front'", StringComparison.Ordinal) && e.Contains("Width", StringComparison.Ordinal) && e.Contains("641", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("camera 'front'", StringComparison.Ordinal) && e.Contains("RtspTransport", StringComparison.Ordinal) && e.Contains("'sctp'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("camera 'back'", StringComparison.Ordinal) && e.Contains("Url", StringComparison.Ordinal) && e.Contains("'http'", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_fails_with_every_error()
    {
        var options = Valid();
        options.Cameras[0].QueueCapacity = 0;
        options.Mqtt.Port = 70000;
        options.Model.ExecutionProvider = "tpu";

        var result = new StreamAnalyticsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(3, result.Failures!.Count());
    }

    [Fact]
    public void An_action_head_is_checked_against_every_camera_window_and_the_backbone_all_at_once()
    {
        var options = new StreamAnalyticsOptions
        {
            Cameras = [Camera("front"), Camera("lobby"), Camera("gate")],
            Window = new WindowOptions { Length = 8 },
        };
        options.Cameras[1].Window = new WindowOptions { Length = 32, Subsample = 1, Hop = 8 };
        options.Cameras[2].Window = new WindowOptions { Length = 16 };
        var head = new ModelManifest(
            "fight-detector", "1.0.0", "/models/fight/model.json", "/models/fight/head.onnx",
            new ModelInputSpec("features", TensorLayout.Features, 32, null, new FeatureInputSpec(ClipFeatureRecipe.TemporalStatsV1, "resnet18-imagenet", 4100)),
            [new ModelOutputSpec("logits", OutputRole.ClassLogits, ["fight", "noFight"])]);
        var backbone = new ModelManifest(
            "efficientnet-b0", "1", "/models/effnet/model.json", "/models/effnet/e.onnx",
            new ModelInputSpec("x", TensorLayout.Nchw, 1, new FrameTensorFormat(8, 8, ColorOrder.Rgb, 1f, [0, 0, 0], [1, 1, 1])),
            [new ModelOutputSpec("embedding", OutputRole.Embedding, [])]);

        var errors = ActionHeadChecks.Collect(options, head, backbone);

        Assert.Equal(3, errors.Count);
        Assert.Contains("Cameras[0] (camera 'front'): Window.Length is 8 (from the pipeline's Window) but action head 'fight-detector' (Model.ActionHead '/models/fight/model.json') was trained on windows of 32 frames.", errors);
        Assert.Contains(errors, e => e.StartsWith("Cameras[2] (camera 'gate'): Window.Length is 16 (from the camera's Window)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("trained on backbone 'resnet18-imagenet'", StringComparison.Ordinal) && e.Contains("'efficientnet-b0'", StringComparison.Ordinal));

        // With every window at 32 and the backbone it was trained on, the head fits.
        options.Window.Length = 32;
        options.Cameras[2].Window = null;
        Assert.Empty(ActionHeadChecks.Collect(options, head, backbone with { Name = "resnet18-imagenet" }));
    }

    [Fact]
    public void Mistakes_in_several_sections_are_reported_together_in_section_order()
    {
        var options = Valid();
        options.Cameras[1].QueueCapacity = 0;
        options.Cameras[0].Zones = [new() { Points = [[0.1, 0.1]] }];
        options.Window.Length = 0;
        options.Mqtt.Outbox.Flush = "sometimes";
        options.Model.MaxBatch = 0;
        options.Pipeline.DrainTimeoutSeconds = 601;

        string[] expected =
        [
            "Cameras[0] (camera 'front'): Zones[0]: a polygon needs at least 3 points (got 1).",
            "Cameras[1] (camera 'back'): QueueCapacity must be between 1 and 1024 (got 0).",
            "Window.Length must be between 1 and 256 (got 0).",
            "Model.MaxBatch must be between 1 and 256 (got 0).",
            "Mqtt.Outbox.Flush must be 'always' or 'none' (got 'sometimes').",
            "Pipeline.DrainTimeoutSeconds must be between 0 and 600 (got 601).",
        ];
        Assert.Equal(expected, StreamAnalyticsOptionsValidator.Collect(options));
        Assert.Equal(expected, new StreamAnalyticsOptionsValidator().Validate(null, options).Failures);
    }

    [Fact]
    public void Duplicate_ids_are_reported_on_the_second_camera()
    {
        var options = new StreamAnalyticsOptions { Cameras = [Camera("gate"), Camera("lobby"), Camera("gate")] };

        var error = Assert.Single(StreamAnalyticsOptionsValidator.Collect(options));

        Assert.StartsWith("Cameras[2] (camera 'gate')", error, StringComparison.Ordinal);
        Assert.Contains("used by another camera", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "Id is required")]
    [InlineData("front door", "may hold only letters")]
    [InlineData("cam/1", "may hold only letters")]
    public void Bad_ids_are_reported(string id, string expected)
    {
        var options = new StreamAnalyticsOptions { Cameras = [Camera(id)] };

        var error = Assert.Single(StreamAnalyticsOptionsValidator.Collect(options));

        Assert.StartsWith("Cameras[0]", error, StringComparison.Ordinal);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Fact]
    public void No_cameras_is_an_error_without_the_api_to_add_them()
    {
        Assert.Empty(StreamAnalyticsOptionsValidator.Collect(new StreamAnalyticsOptions()));

        var error = Assert.Single(StreamAnalyticsOptionsValidator.Collect(new StreamAnalyticsOptions { Http = new() { Enabled = false }, Metrics = new() { Enabled = false } }));

        Assert.Contains("at least one camera", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Window_reconnect_and_url_problems_name_the_camera()
    {
        var options = Valid();
        options.Cameras[1].Window = new WindowOptions { Length = 0, Subsample = -1, Hop = 4 };
        options.Cameras[1].Reconnect = new ReconnectOptions { InitialDelaySeconds = 5, MaxDelaySeconds = 1, WatchdogSeconds = 0 };
        options.Cameras[0].Url = string.Empty;
        options.Cameras[0].Height = 3;
        options.Cameras[0].DecoderThreads = -1;

        var errors = StreamAnalyticsOptionsValidator.Collect(options);

        Assert.Equal(7, errors.Count);
        Assert.Equal(4, errors.Count(e => e.StartsWith("Cameras[1] (camera 'back')", StringComparison.Ordinal)));
        Assert.Equal(3, errors.Count(e => e.StartsWith("Cameras[0] (camera 'front')", StringComparison.Ordinal)));
        Assert.Contains(errors, e => e.Contains("DecoderThreads must be between 0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Window.Length", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Window.Subsample", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Url is required", StringComparison.Ordinal));
    }

    [Fact]
    public void Section_level_problems_are_all_reported()
    {
        var options = Valid();
        options.Window.Hop = 0;
        options.Model.MaxBatch = 0;
        options.Detection.Anomaly.Threshold = 3;
        options.Detection.Action.Thresholds["fall"] = 1.5;
        options.Mqtt.TopicPrefix = "site/#";
        options.Http.Port = 0;
        options.Pipeline.DrainTimeoutSeconds = -1;
        options.Model.ExecutionProvider = "tensorrt";
        options.Model.TensorRtCacheDirectory = " ";

        var errors = StreamAnalyticsOptionsValidator.Collect(options);

        string[] expected = ["Window.Hop", "Model.MaxBatch", "Model.TensorRtCacheDirectory", "Detection.Anomaly.Threshold", "Detection.Action.Thresholds['fall']", "Mqtt.TopicPrefix", "Http.Port", "Pipeline.DrainTimeoutSeconds"];
        Assert.Equal(expected.Length, errors.Count);
        foreach (var start in expected)
        {
            Assert.Contains(errors, e => e.StartsWith(start, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void Bad_polygons_are_all_reported_at_start_naming_the_camera()
    {
        var options = Valid();
        options.Cameras[0].Masks =
        [
            new() { Name = "neighbour-window", Points = [[0.1, 0.1], [0.2, 0.2]] },
            new() { Points = [[0.1, 0.1], [1.5, 0.2], [0.3, double.NaN], [0.4, double.PositiveInfinity]] },
            new() { Points = [[0.1, 0.1], [0.9, 0.1], [0.5, 0.8]] },
        ];
        options.Cameras[1].Zones =
        [
            new() { Points = [[0.1, 0.1], [0.2, 0.2], [0.3, 0.3]] },
            new() { Points = [[0.1], [0.2, 0.2], [0.3, 0.1, 0.5]] },
        ];

        var errors = StreamAnalyticsOptionsValidator.Collect(options);

        string[] expected =
        [
            "Cameras[0] (camera 'front'): Masks[0] ('neighbour-window'): a polygon needs at least 3 points (got 2).",
            "Cameras[0] (camera 'front'): Masks[1]: point 1 is (1.5, 0.2); x and y are fractions of the frame, between 0 and 1.",
            "Cameras[0] (camera 'front'): Masks[1]: point 2 is (0.3, NaN); x and y are fractions of the frame, between 0 and 1.",
            "Cameras[0] (camera 'front'): Masks[1]: point 3 is (0.4, Infinity); x and y are fractions of the frame, between 0 and 1.",
            "Cameras[1] (camera 'back'): Zones[0]: the points enclose no area (all on one line?).",
            "Cameras[1] (camera 'back'): Zones[1]: point 0 must be an [x, y] pair (got 1 values).",
            "Cameras[1] (camera 'back'): Zones[1]: point 2 must be an [x, y] pair (got 3 values).",
        ];
        Assert.Equal(expected, errors);
    }

    [Fact]
    public void Bad_snapshot_settings_are_all_reported()
    {
        var options = Valid();
        options.Detection.Snapshot = new() { Enabled = true, Mode = "inline", MaxBytes = 10, Quality = 0, MaxWidth = 8 };
        options.Cameras[1].Snapshot = new() { Enabled = true, Mode = "path", Directory = " " };

        var errors = StreamAnalyticsOptionsValidator.Collect(options);

        string[] expected =
        [
            "Cameras[1] (camera 'back'): Snapshot.Directory is required in 'path' mode.",
            "Detection.Snapshot.Mode must be 'path' or 'base64' (got 'inline').",
            "Detection.Snapshot.MaxBytes must be between 1024 and 8388608 (got 10).",
            "Detection.Snapshot.Quality must be between 1 and 100 (got 0).",
            "Detection.Snapshot.MaxWidth must be between 16 and 7680 (got 8).",
        ];
        Assert.Equal(expected, errors);
    }
}
