using System.Diagnostics;

namespace StreamAnalytics.Tests.Fakes;

/// <summary>Debian's ffmpeg, run to prepare a test's footage; fails the test with ffmpeg's own message.</summary>
internal static class FfmpegTool
{
    public static async Task RunAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("ffmpeg") { RedirectStandardError = true };
        foreach (var argument in (string[])["-nostdin", "-v", "error", "-y", .. arguments])
        {
            info.ArgumentList.Add(argument);
        }

        using var ffmpeg = Process.Start(info)!;
        var errors = await ffmpeg.StandardError.ReadToEndAsync();
        await ffmpeg.WaitForExitAsync();
        Assert.True(ffmpeg.ExitCode == 0, $"ffmpeg failed: {errors}");
    }
}
