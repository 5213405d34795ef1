using System.Globalization;
using StreamAnalytics.Configuration;

namespace StreamAnalytics.Ingest;

/// <summary>
/// Command lines for Debian's ffmpeg/ffprobe. OpenCvSharp's bundled FFmpeg has no network protocols,
/// so every source (files included, to keep one code path) is decoded by an ffmpeg child process
/// that writes raw BGR frames to its stdout.
/// </summary>
internal static class FfmpegArguments
{
    /// <summary>RTSP socket timeout in microseconds: ends the process when a server dies silently.</summary>
    private const string SocketTimeoutMicroseconds = "5000000";

    /// <param name="hardwareDecode">The camera's <see cref="CameraOptions.HardwareDecode"/>, or <c>none</c> after it failed here.</param>
    /// <param name="fast">Skip the in-loop deblocking filter (<see cref="CameraOptions.FastDecode"/>, resolved).</param>
    /// <param name="area">Scale by area instead of bicubic (<see cref="CameraOptions.ScaleFilter"/>, resolved).</param>
    public static IReadOnlyList<string> Decode(CameraSource source, CameraOptions camera, VideoGeometry geometry, string hardwareDecode = "none", bool fast = false, bool area = false)
    {
        var args = new List<string> { "-nostdin", "-hide_banner", "-loglevel", "error" };
        if (camera.DecoderThreads > 0)
        {
            // The filter graph (frame-rate cap, scale) gets one thread too: its slice threads are as many as the cores.
            args.AddRange(["-filter_threads", camera.DecoderThreads.ToString(CultureInfo.InvariantCulture)]);
            args.AddRange(["-threads", camera.DecoderThreads.ToString(CultureInfo.InvariantCulture)]);
        }

        if (hardwareDecode != "none")
        {
            // Decoded on the device, then copied back for the scale and the BGR conversion, which stay as they are.
            args.AddRange(["-hwaccel", hardwareDecode]);
            if (camera.HardwareDecodeDevice is { } device)
            {
                args.AddRange(["-hwaccel_device", device]);
            }
        }

        if (fast)
        {
            // A decoder option, so before the input. Deblocking is 10–20% of ffmpeg's CPU here; what it smooths are
            // block edges of a few pixels, which a scale to half the height or less averages away anyway. (A bilinear
            // scale would save as much again, but blurs what the backbone sees: it cost Ped2's appearance AUC 0.034.)
            args.AddRange(["-skip_loop_filter", "all"]);
        }

        AddInput(args, source, camera, forDecode: true);
        args.AddRange([
            "-an", "-sn", "-dn",
            // Without passthrough ffmpeg stalls for seconds when a looping source's timestamps jump back.
            "-fps_mode", "passthrough",
            "-vf", Filters(camera, geometry, area),
            "-f", "rawvideo", "-pix_fmt", "bgr24", "pipe:1",
        ]);
        return args;
    }

    /// <summary>The frame-rate cap comes first so that frames it drops are never scaled or converted.</summary>
    private static string Filters(CameraOptions camera, VideoGeometry geometry, bool area)
    {
        // Bicubic is the scale filter's own default, so it is left implicit: the command lines of cameras it applies to stay as they were.
        var flags = area ? ":flags=area" : "";
        var scale = string.Create(CultureInfo.InvariantCulture, $"scale={geometry.Width}:{geometry.Height}{flags}");
        return camera.MaxFps is { } fps ? string.Create(CultureInfo.InvariantCulture, $"fps={fps},{scale}") : scale;
    }

    public static IReadOnlyList<string> Probe(CameraSource source, CameraOptions camera)
    {
        var args = new List<string> { "-v", "error" };
        AddInput(args, source, camera, forDecode: false);
        args.AddRange(["-select_streams", "v:0", "-show_entries", "stream=width,height,avg_frame_rate,r_frame_rate", "-of", "json"]);
        return args;
    }

    private static void AddInput(List<string> args, CameraSource source, CameraOptions camera, bool forDecode)
    {
        if (source.Kind == CameraSourceKind.Rtsp)
        {
            args.AddRange(["-rtsp_transport", camera.RtspTransport, "-timeout", SocketTimeoutMicroseconds]);
        }
        else if (forDecode)
        {
            if (camera.Realtime)
            {
                args.Add("-re");
            }

            if (camera.Loop)
            {
                args.AddRange(["-stream_loop", "-1"]);
            }
        }

        args.AddRange(["-i", source.Input]);
    }
}
