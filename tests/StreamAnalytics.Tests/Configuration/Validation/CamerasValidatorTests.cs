using StreamAnalytics.Configuration;
using StreamAnalytics.Configuration.Validation;

namespace StreamAnalytics.Tests.Configuration.Validation;

public sealed class CamerasValidatorTests
{
    private static List<string> Validate(StreamAnalyticsOptions options)
    {
        var errors = new List<string>();
        new CamerasValidator().Validate(options, errors);
        return errors;
    }

    [Fact]
    public void Every_mistake_of_one_camera_is_reported_in_order_naming_it()
    {
        var camera = new CameraOptions
        {
            Id = "gate",
            Url = "http://10.0.0.9/video",
            Width = 641,
            Height = 0,
            RtspTransport = "sctp",
            QueueCapacity = 0,
            Lifecycle = new() { EnterWindows = 3, EnterOf = 2 },
            LifecycleByLabel = { ["fight"] = new() { ExitWindows = 0 } },
            Window = new() { Length = 0, Subsample = 1, Hop = 1 },
            Reconnect = new() { InitialDelaySeconds = 0, WatchdogSeconds = 0, OfflineAfterSeconds = -1, OpenTimeoutSeconds = 0 },
            DecoderThreads = 65,
            MaxFps = 0,
            Gate = new() { Enabled = true, Threshold = 1, PixelDelta = 0, MaxSkipSeconds = 0 },
            Masks = [new() { Name = "door", Points = [[0.1, 0.1]] }],
            Zones = [new() { Points = [[0.1, 0.1], [0.5, 0.5], [0.9, 0.9]] }],
            Snapshot = new() { Mode = "inline" },
        };

        var errors = Validate(new StreamAnalyticsOptions { Cameras = [camera] });

        string[] expected =
        [
            "Cameras[0] (camera 'gate'): Url scheme 'http' is not supported (use rtsp://, rtsps://, file:// or a file path).",
            "Cameras[0] (camera 'gate'): Width must be an even number between 2 and 7680 (got 641).",
            "Cameras[0] (camera 'gate'): Height must be an even number between 2 and 4320 (got 0).",
            "Cameras[0] (camera 'gate'): RtspTransport must be 'tcp' or 'udp' (got 'sctp').",
            "Cameras[0] (camera 'gate'): QueueCapacity must be between 1 and 1024 (got 0).",
            "Cameras[0] (camera 'gate'): Lifecycle: need 1 <= EnterWindows <= EnterOf (got 3 of 2).",
            "Cameras[0] (camera 'gate'): LifecycleByLabel['fight']: ExitWindows must be at least 1; MinDurationSeconds and UpdateIntervalSeconds must not be negative.",
            "Cameras[0] (camera 'gate'): Window.Length must be between 1 and 256 (got 0).",
            "Cameras[0] (camera 'gate'): Reconnect needs 0 < InitialDelaySeconds <= MaxDelaySeconds (got 0 and 30).",
            "Cameras[0] (camera 'gate'): Reconnect.WatchdogSeconds must be at least 1 (got 0).",
            "Cameras[0] (camera 'gate'): Reconnect.OfflineAfterSeconds and HealthyAfterSeconds must not be negative.",
            "Cameras[0] (camera 'gate'): DecoderThreads must be between 0 (ffmpeg chooses) and 64 (got 65).",
            "Cameras[0] (camera 'gate'): MaxFps must be between 0 and 240 (got 0).",
            "Cameras[0] (camera 'gate'): Reconnect.OpenTimeoutSeconds must be at least 1 (got 0).",
            "Cameras[0] (camera 'gate'): Gate.Threshold must be at least 0 and below 1, a fraction of the samples that changed (got 1).",
            "Cameras[0] (camera 'gate'): Gate.PixelDelta must be between 1 and 255 grey levels (got 0).",
            "Cameras[0] (camera 'gate'): Gate.MaxSkipSeconds must be above 0 and at most 3600 (got 0).",
            "Cameras[0] (camera 'gate'): Masks[0] ('door'): a polygon needs at least 3 points (got 1).",
            "Cameras[0] (camera 'gate'): Zones[0]: the points enclose no area (all on one line?).",
            "Cameras[0] (camera 'gate'): Snapshot.Mode must be 'path' or 'base64' (got 'inline').",
        ];
        Assert.Equal(expected, errors);
    }

    [Fact]
    public void A_camera_without_a_usable_id_is_named_by_its_index_and_the_others_by_their_ids()
    {
        var options = new StreamAnalyticsOptions
        {
            Cameras =
            [
                new() { Id = "lobby", Url = "/data/lobby.mp4" },
                new() { Id = " ", Url = "rtsp://10.0.0.2/stream" },
                new() { Id = "lobby", Url = "" },
            ],
        };

        string[] expected =
        [
            "Cameras[1]: Id is required.",
            "Cameras[2] (camera 'lobby'): Id is used by another camera.",
            "Cameras[2] (camera 'lobby'): Url is required (rtsp://, rtsps:// or a video file path).",
        ];
        Assert.Equal(expected, Validate(options));
    }

    [Fact]
    public void No_cameras_is_the_only_error_it_reports_for_an_empty_list_without_the_api()
    {
        Assert.Equal(
            ["Cameras: at least one camera is required (or turn Http.Enabled on and add cameras through the API)."],
            Validate(new StreamAnalyticsOptions { Http = new() { Enabled = false } }));
    }

    [Fact]
    public void Hardware_decode_is_one_of_four_and_a_device_needs_a_device_type()
    {
        var options = new StreamAnalyticsOptions
        {
            Cameras =
            [
                new() { Id = "a", Url = "/data/a.mp4", HardwareDecode = "nvdec" },
                new() { Id = "b", Url = "/data/b.mp4", HardwareDecode = "auto", HardwareDecodeDevice = "0" },
                new() { Id = "c", Url = "/data/c.mp4", HardwareDecode = "cuda", HardwareDecodeDevice = "1" },
            ],
        };

        Assert.Equal(
            [
                "Cameras[0] (camera 'a'): HardwareDecode must be 'none', 'cuda', 'vaapi' or 'auto' (got 'nvdec').",
                "Cameras[1] (camera 'b'): HardwareDecodeDevice needs HardwareDecode 'cuda' or 'vaapi' (got 'auto').",
            ],
            Validate(options));
    }

    [Fact]
    public void Fast_decode_is_auto_on_or_off()
    {
        var options = new StreamAnalyticsOptions
        {
            Cameras =
            [
                new() { Id = "a", Url = "/data/a.mp4", FastDecode = "yes" },
                new() { Id = "b", Url = "/data/b.mp4", FastDecode = "off" },
                new() { Id = "c", Url = "/data/c.mp4" },
            ],
        };

        Assert.Equal(["Cameras[0] (camera 'a'): FastDecode must be 'auto', 'on' or 'off' (got 'yes')."], Validate(options));
    }

    [Fact]
    public void Scale_filter_is_auto_bicubic_or_area()
    {
        var options = new StreamAnalyticsOptions
        {
            Cameras =
            [
                new() { Id = "a", Url = "/data/a.mp4", ScaleFilter = "lanczos" },
                new() { Id = "b", Url = "/data/b.mp4", ScaleFilter = "area" },
                new() { Id = "c", Url = "/data/c.mp4", ScaleFilter = "bicubic" },
                new() { Id = "d", Url = "/data/d.mp4" },
            ],
        };

        Assert.Equal(["Cameras[0] (camera 'a'): ScaleFilter must be 'auto', 'bicubic' or 'area' (got 'lanczos')."], Validate(options));
    }

    [Fact]
    public void With_the_api_on_a_service_may_start_without_cameras()
    {
        Assert.Empty(Validate(new StreamAnalyticsOptions()));
    }

    [Fact]
    public void Other_sections_are_not_its_concern()
    {
        var options = new StreamAnalyticsOptions { Cameras = [new() { Id = "front", Url = "/data/front.mp4" }] };
        options.Window.Length = 0;
        options.Mqtt.Port = 0;
        options.Detection.Snapshot.Mode = "inline";

        Assert.Empty(Validate(options));
    }
}
