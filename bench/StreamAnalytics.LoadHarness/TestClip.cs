using System.Diagnostics;
using System.Globalization;

namespace StreamAnalytics.LoadHarness;

/// <summary>
/// The 720p H.264 clip the RTSP server loops. Real footage by default: the UCSD Ped2 training videos
/// (one fixed surveillance camera, 360x240 at 10 fps) upscaled to 1280x720 and retimed to --fps by
/// re-stamping every frame (no duplicated frames, so decoding costs what a real 720p stream costs;
/// motion plays 1.5x faster at 15 fps). No B-frames and a GOP of 30, like most IP cameras.
/// </summary>
internal static class TestClip
{
    private const int Width = 1280;
    private const int Height = 720;

    public static async Task<string> EnsureAsync(HarnessOptions options, CancellationToken cancellationToken)
    {
        if (options.Clip is { } clip)
        {
            return File.Exists(clip) ? clip : throw new FileNotFoundException($"--clip '{clip}' does not exist.");
        }

        var fps = options.Fps;
        var path = Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"sa-720p-{options.Source}-{fps}fps.mp4"));
        if (File.Exists(path))
        {
            return path;
        }

        var partial = path + ".partial.mp4";
        var args = new List<string> { "-y", "-nostdin", "-hide_banner", "-loglevel", "error" };
        string? listFile = null;
        switch (options.Source)
        {
            case "testsrc":
                args.AddRange(["-f", "lavfi", "-i", string.Create(CultureInfo.InvariantCulture, $"testsrc2=size={Width}x{Height}:rate={fps}"), "-t", "20"]);
                break;
            case "ucsd":
            {
                var train = Path.Combine(DataSet("ucsd-ped2"), "train");
                var videos = Directory.GetFiles(train, "*.mp4").Order(StringComparer.Ordinal).ToList();
                if (videos.Count == 0)
                {
                    throw new FileNotFoundException($"No UCSD training videos in {train}.");
                }

                listFile = Path.GetTempFileName();
                await File.WriteAllLinesAsync(listFile, videos.Select(v => $"file '{v.Replace("'", "'\\''", StringComparison.Ordinal)}'"), cancellationToken).ConfigureAwait(false);
                args.AddRange(["-f", "concat", "-safe", "0", "-i", listFile,
                    "-vf", string.Create(CultureInfo.InvariantCulture, $"setpts=N/({fps}*TB),scale={Width}:{Height}:flags=bicubic,setsar=1,format=yuv420p"),
                    "-r", fps.ToString(CultureInfo.InvariantCulture),
                    "-frames:v", (fps * 120).ToString(CultureInfo.InvariantCulture)]);
                break;
            }

            case "fight":
            {
                var folder = Path.Combine(DataSet("surveillance-fight"), "fight");
                var clips = Directory.GetFiles(folder, "*.mp4").Order(StringComparer.Ordinal).Take(30).ToList();
                var filter = new System.Text.StringBuilder();
                for (var i = 0; i < clips.Count; i++)
                {
                    args.AddRange(["-i", clips[i]]);
                    filter.Append(CultureInfo.InvariantCulture, $"[{i}:v]scale={Width}:{Height}:force_original_aspect_ratio=decrease:flags=bicubic,pad={Width}:{Height}:(ow-iw)/2:(oh-ih)/2,fps={fps},setsar=1,format=yuv420p[v{i}];");
                }

                for (var i = 0; i < clips.Count; i++)
                {
                    filter.Append(CultureInfo.InvariantCulture, $"[v{i}]");
                }

                filter.Append(CultureInfo.InvariantCulture, $"concat=n={clips.Count}:v=1:a=0[out]");
                args.AddRange(["-filter_complex", filter.ToString(), "-map", "[out]"]);
                break;
            }
        }

        args.AddRange(["-an", "-c:v", "libx264", "-preset", "veryfast", "-bf", "0", "-g", "30", "-pix_fmt", "yuv420p", "-movflags", "+faststart", "-f", "mp4", partial]);
        Console.Error.WriteLine($"Generating {path} ({options.Source}) ...");
        var started = Stopwatch.StartNew();
        try
        {
            var (exitCode, stderr) = await Tools.RunAsync("ffmpeg", args, cancellationToken).ConfigureAwait(false);
            if (exitCode != 0)
            {
                throw new InvalidOperationException($"ffmpeg could not generate the clip (exit {exitCode}): {stderr}");
            }
        }
        finally
        {
            if (listFile is not null)
            {
                File.Delete(listFile);
            }
        }

        File.Move(partial, path, overwrite: true);
        Console.Error.WriteLine($"Generated {path} in {started.Elapsed.TotalSeconds:0} s.");
        return path;
    }

    /// <summary>The clip's nominal frame rate (ffprobe r_frame_rate); NaN when unknown.</summary>
    public static async Task<double> FramesPerSecondAsync(string clip, CancellationToken cancellationToken)
    {
        var info = Tools.StartInfo("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=r_frame_rate", "-of", "csv=p=0", clip]);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("ffprobe did not start.");
        var text = (await process.StandardOutput.ReadToEndAsync(cancellationToken).ConfigureAwait(false)).Trim();
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        var parts = text.Split('/');
        return parts.Length == 2
            && double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var n)
            && double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d > 0
            ? n / d
            : double.NaN;
    }

    /// <summary>A data set in the shared data folder (../shared/data from the repository, found as the tests find it).</summary>
    public static string DataSet(string set)
    {
        string? path = null;
        try
        {
            path = SharedData.Path(set);
        }
        catch (DirectoryNotFoundException)
        {
        }

        return Directory.Exists(path)
            ? path
            : throw new DirectoryNotFoundException($"shared/data/{set} was not found above {AppContext.BaseDirectory} (or in ${SharedData.OverrideVariable}); pass --clip or --source testsrc.");
    }
}
