using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace StreamAnalytics.LoadHarness;

/// <summary>
/// What decoding alone costs, for comparison with the pipeline's own ffmpeg children:
/// <list type="bullet">
/// <item>RTSP: the same stream decoded and converted to BGR by a plain ffmpeg into the null muxer for the same
///   wall time (no pipe, no reader): CPU seconds and frames.</item>
/// <item>File: the clip decoded and converted to BGR as fast as possible: frames per CPU second, i.e. how many
///   frames per second two cores could decode if they did nothing else.</item>
/// </list>
/// </summary>
internal static partial class DecodeReference
{
    public readonly record struct RtspResult(double Seconds, double CpuSeconds, long Frames);

    public readonly record struct FileResult(long Frames, double CpuSeconds, double WallSeconds);

    public static async Task<RtspResult?> RtspAsync(string url, int? width, int? height, double seconds, CancellationToken cancellationToken)
    {
        var args = new List<string> { "-nostdin", "-hide_banner", "-loglevel", "error", "-nostats", "-progress", "pipe:1",
            "-rtsp_transport", "tcp", "-timeout", "5000000", "-i", url, "-an", "-fps_mode", "passthrough" };
        if (width is { } w && height is { } h)
        {
            args.AddRange(["-vf", string.Create(CultureInfo.InvariantCulture, $"scale={w}:{h}")]);
        }

        args.AddRange(["-pix_fmt", "bgr24", "-f", "null", "-"]);
        Console.Error.WriteLine("Reference decode: ffmpeg " + string.Join(' ', args));
        using var process = Process.Start(Tools.StartInfo("ffmpeg", args)) ?? throw new InvalidOperationException("ffmpeg did not start.");
        _ = process.StandardError.ReadToEndAsync(CancellationToken.None);
        long frames = 0;
        var reader = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync(CancellationToken.None).ConfigureAwait(false) is { } line)
            {
                if (line.StartsWith("frame=", StringComparison.Ordinal) && long.TryParse(line.AsSpan(6), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
                {
                    Interlocked.Exchange(ref frames, n);
                }
            }
        }, CancellationToken.None);

        try
        {
            // Let it connect and reach its steady state before measuring.
            await Task.Delay(TimeSpan.FromSeconds(3), cancellationToken).ConfigureAwait(false);
            var before = ProcStats.Read(process.Id);
            var framesBefore = Interlocked.Read(ref frames);
            var clock = Stopwatch.StartNew();
            await Task.Delay(TimeSpan.FromSeconds(seconds), cancellationToken).ConfigureAwait(false);
            var after = ProcStats.Read(process.Id);
            var elapsed = clock.Elapsed.TotalSeconds;
            var framesAfter = Interlocked.Read(ref frames);
            if (before is null || after is null)
            {
                Console.Error.WriteLine("Reference decode: ffmpeg exited early.");
                return null;
            }

            return new RtspResult(elapsed, after.Value.CpuSeconds - before.Value.CpuSeconds, framesAfter - framesBefore);
        }
        finally
        {
            Tools.KillQuietly(process);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            await reader.ConfigureAwait(false);
        }
    }

    public static async Task<FileResult?> FileAsync(string clip, int? width, int? height, int frames, CancellationToken cancellationToken)
    {
        var args = new List<string> { "-nostdin", "-hide_banner", "-loglevel", "info", "-benchmark", "-i", clip, "-an", "-frames:v", frames.ToString(CultureInfo.InvariantCulture) };
        if (width is { } w && height is { } h)
        {
            args.AddRange(["-vf", string.Create(CultureInfo.InvariantCulture, $"scale={w}:{h}")]);
        }

        args.AddRange(["-pix_fmt", "bgr24", "-f", "null", "-"]);
        var (exitCode, stderr) = await Tools.RunAsync("ffmpeg", args, cancellationToken).ConfigureAwait(false);
        var bench = BenchLine().Match(stderr);
        var frameCount = FrameLine().Matches(stderr).LastOrDefault();
        if (exitCode != 0 || !bench.Success)
        {
            Console.Error.WriteLine($"File decode reference failed (exit {exitCode}): {stderr}");
            return null;
        }

        var cpu = double.Parse(bench.Groups[1].Value, CultureInfo.InvariantCulture) + double.Parse(bench.Groups[2].Value, CultureInfo.InvariantCulture);
        var wall = double.Parse(bench.Groups[3].Value, CultureInfo.InvariantCulture);
        var decoded = frameCount is null ? frames : long.Parse(frameCount.Groups[1].Value, CultureInfo.InvariantCulture);
        return new FileResult(decoded, cpu, wall);
    }

    [GeneratedRegex(@"bench: utime=([\d.]+)s stime=([\d.]+)s rtime=([\d.]+)s")]
    private static partial Regex BenchLine();

    [GeneratedRegex(@"frame=\s*(\d+)")]
    private static partial Regex FrameLine();
}
