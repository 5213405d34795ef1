using StreamAnalytics.Configuration;
using StreamAnalytics.Ingest;

namespace StreamAnalytics.Tests.Ingest;

public sealed class FfmpegArgumentsTests
{
    private static readonly VideoGeometry Geometry = new(640, 360, 25);

    private static CameraSource Parse(string url)
    {
        Assert.True(CameraSource.TryParse(url, out var source, out var error), error);
        return source;
    }

    /// <summary>Index of <paramref name="sequence"/> as consecutive items of <paramref name="args"/>; fails when absent.</summary>
    private static int IndexOf(IReadOnlyList<string> args, params string[] sequence)
    {
        for (var i = 0; i + sequence.Length <= args.Count; i++)
        {
            if (args.Skip(i).Take(sequence.Length).SequenceEqual(sequence))
            {
                return i;
            }
        }

        Assert.Fail($"[{string.Join(' ', sequence)}] not found in: {string.Join(' ', args)}");
        return -1;
    }

    [Fact]
    public void Decoder_threads_default_to_one_before_the_input_and_zero_leaves_the_choice_to_ffmpeg()
    {
        var source = Parse("rtsp://10.0.0.5/stream");

        var one = FfmpegArguments.Decode(source, new CameraOptions(), Geometry);
        Assert.True(IndexOf(one, "-threads", "1") < IndexOf(one, "-i", "rtsp://10.0.0.5/stream"));
        Assert.True(IndexOf(one, "-filter_threads", "1") < IndexOf(one, "-i", "rtsp://10.0.0.5/stream"));

        var auto = FfmpegArguments.Decode(source, new CameraOptions { DecoderThreads = 0 }, Geometry);
        Assert.DoesNotContain("-threads", auto);
        Assert.DoesNotContain("-filter_threads", auto);
    }

    [Fact]
    public void Rtsp_input_sets_transport_and_socket_timeout_before_the_input()
    {
        var source = Parse("rtsp://u:p@10.0.0.5/stream");
        var args = FfmpegArguments.Decode(source, new CameraOptions { RtspTransport = "udp" }, Geometry);

        var input = IndexOf(args, "-i", "rtsp://u:p@10.0.0.5/stream");
        Assert.True(IndexOf(args, "-rtsp_transport", "udp") < input);
        Assert.True(IndexOf(args, "-timeout", "5000000") < input);
        Assert.DoesNotContain("-re", args);
        Assert.DoesNotContain("-stream_loop", args);
    }

    [Fact]
    public void A_looping_realtime_file_reads_at_native_rate_forever()
    {
        var args = FfmpegArguments.Decode(Parse("/srv/lobby.mp4"), new CameraOptions { Loop = true, Realtime = true }, Geometry);

        var input = IndexOf(args, "-i", "/srv/lobby.mp4");
        Assert.True(IndexOf(args, "-re") < input);
        Assert.True(IndexOf(args, "-stream_loop", "-1") < input);
        Assert.DoesNotContain("-rtsp_transport", args);
    }

    [Fact]
    public void A_file_read_once_as_fast_as_possible_has_neither_flag()
    {
        var args = FfmpegArguments.Decode(Parse("/srv/lobby.mp4"), new CameraOptions { Loop = false, Realtime = false }, Geometry);

        Assert.DoesNotContain("-re", args);
        Assert.DoesNotContain("-stream_loop", args);
    }

    [Fact]
    public void Output_is_scaled_raw_bgr_on_stdout_with_passthrough_timing()
    {
        var args = FfmpegArguments.Decode(Parse("rtsp://10.0.0.5/s"), new CameraOptions(), Geometry);

        var input = IndexOf(args, "-i", "rtsp://10.0.0.5/s");
        var filters = args[IndexOf(args, "-vf") + 1];
        Assert.EndsWith("scale=640:360", filters, StringComparison.Ordinal);
        Assert.True(IndexOf(args, "-fps_mode", "passthrough") > input);
        IndexOf(args, "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1");
        Assert.Equal("pipe:1", args[^1]);
        IndexOf(args, "-an", "-sn", "-dn");
        Assert.Equal("-nostdin", args[0]);
    }

    [Fact]
    public void Probe_asks_for_the_first_video_stream_as_json_without_realtime_or_loop()
    {
        var args = FfmpegArguments.Probe(Parse("/srv/lobby.mp4"), new CameraOptions { Loop = true, Realtime = true });

        IndexOf(args, "-i", "/srv/lobby.mp4");
        IndexOf(args, "-select_streams", "v:0");
        IndexOf(args, "-of", "json");
        Assert.Contains(args, a => a.StartsWith("stream=", StringComparison.Ordinal) && a.Contains("width", StringComparison.Ordinal) && a.Contains("avg_frame_rate", StringComparison.Ordinal));
        Assert.DoesNotContain("-re", args);
        Assert.DoesNotContain("-stream_loop", args);
    }

    [Fact]
    public void Probe_of_rtsp_keeps_transport_and_timeout()
    {
        var args = FfmpegArguments.Probe(Parse("rtsp://10.0.0.5/s"), new CameraOptions());

        IndexOf(args, "-rtsp_transport", "tcp");
        IndexOf(args, "-timeout", "5000000");
    }

    [Fact]
    public void Fast_decode_skips_deblocking_as_a_decoder_option_and_leaves_the_scale_as_it_is()
    {
        var source = Parse("rtsp://10.0.0.5/stream");

        var fast = FfmpegArguments.Decode(source, new CameraOptions { MaxFps = 5 }, Geometry, fast: true);
        Assert.True(IndexOf(fast, "-skip_loop_filter", "all") < IndexOf(fast, "-i", "rtsp://10.0.0.5/stream"));
        IndexOf(fast, "-vf", "fps=5,scale=640:360");

        var full = FfmpegArguments.Decode(source, new CameraOptions(), Geometry);
        Assert.DoesNotContain("-skip_loop_filter", full);
        IndexOf(full, "-vf", "scale=640:360");
    }

    [Fact]
    public void Area_scale_is_asked_for_only_when_resolved_and_comes_after_the_rate_cap()
    {
        var source = Parse("rtsp://10.0.0.5/stream");

        IndexOf(FfmpegArguments.Decode(source, new CameraOptions { MaxFps = 5 }, Geometry, fast: true, area: true), "-vf", "fps=5,scale=640:360:flags=area");
        IndexOf(FfmpegArguments.Decode(source, new CameraOptions(), Geometry), "-vf", "scale=640:360");
    }

    [Theory]
    [InlineData(224, 720, true)]
    [InlineData(360, 720, true)]
    [InlineData(361, 720, false)]
    [InlineData(224, 240, false)]
    [InlineData(224, null, false)]
    public void Auto_decodes_fast_and_scales_by_area_only_where_the_frame_shrinks_to_half_its_height_or_less(int decoded, int? source, bool shrinks)
    {
        Assert.Equal(shrinks, FastDecodeRule.Resolve("auto", decoded, source));
        Assert.Equal(shrinks, ScaleFilterRule.Resolve("auto", decoded, source));
    }

    [Theory]
    [InlineData(240, 240)]
    [InlineData(240, null)]
    [InlineData(224, 1080)]
    public void Explicit_settings_hold_whatever_the_sizes(int decoded, int? source)
    {
        Assert.True(FastDecodeRule.Resolve("on", decoded, source));
        Assert.False(FastDecodeRule.Resolve("off", decoded, source));
        Assert.True(ScaleFilterRule.Resolve("area", decoded, source));
        Assert.False(ScaleFilterRule.Resolve("bicubic", decoded, source));
    }

    [Fact]
    public void Hardware_decode_asks_for_the_device_before_the_input_and_software_asks_for_nothing()
    {
        var source = Parse("rtsp://10.0.0.5/stream");
        var camera = new CameraOptions { HardwareDecode = "cuda", HardwareDecodeDevice = "1" };

        var cuda = FfmpegArguments.Decode(source, camera, Geometry, camera.HardwareDecode);
        Assert.True(IndexOf(cuda, "-hwaccel", "cuda", "-hwaccel_device", "1") < IndexOf(cuda, "-i", "rtsp://10.0.0.5/stream"));

        var fallenBack = FfmpegArguments.Decode(source, camera, Geometry, "none");
        Assert.DoesNotContain("-hwaccel", fallenBack);
        Assert.DoesNotContain("-hwaccel_device", fallenBack);
    }
}
