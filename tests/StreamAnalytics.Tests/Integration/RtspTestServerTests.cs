using System.Diagnostics;
using System.Globalization;
using StreamAnalytics.Tests.Fakes;

namespace StreamAnalytics.Tests.Integration;

/// <summary>The loopback RTSP server the load harness measures against: a stream lasts as long as it was asked to.</summary>
[Collection(IntegrationCollection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class RtspTestServerTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_stream_plays_its_file_looped_for_the_seconds_asked_and_then_ends()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var clip = Path.Combine(_dir.Path, "one-second.mp4");
        await FfmpegTool.RunAsync("-f", "lavfi", "-i", "testsrc=size=160x120:rate=10", "-t", "1", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-g", "10", clip);

        await using var server = await RtspTestServer.StartAsync(new Dictionary<string, string> { ["cam"] = clip }, cts.Token, loopSeconds: 3);
        var copy = Path.Combine(_dir.Path, "received.mp4");

        // At most 30 s read: with the server's default of 600 s, that would be 300 frames.
        await FfmpegTool.RunAsync("-rtsp_transport", "tcp", "-i", server.UrlFor("cam"), "-t", "30", "-c", "copy", "-f", "mp4", copy);

        var frames = await FrameCountAsync(copy, cts.Token);
        Assert.InRange(frames, 27, 33);
    }

    private static async Task<int> FrameCountAsync(string path, CancellationToken ct)
    {
        var info = new ProcessStartInfo("ffprobe") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])["-v", "error", "-count_frames", "-select_streams", "v:0", "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path])
        {
            info.ArgumentList.Add(argument);
        }

        using var ffprobe = Process.Start(info)!;
        var output = await ffprobe.StandardOutput.ReadToEndAsync(ct);
        await ffprobe.WaitForExitAsync(ct);
        Assert.True(ffprobe.ExitCode == 0, await ffprobe.StandardError.ReadToEndAsync(ct));
        return int.Parse(output.Trim(), CultureInfo.InvariantCulture);
    }
}
