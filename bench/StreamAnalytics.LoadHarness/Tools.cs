using System.Diagnostics;

namespace StreamAnalytics.LoadHarness;

internal static class Tools
{
    public static ProcessStartInfo StartInfo(string fileName, IEnumerable<string> arguments, bool redirectStdout = true)
    {
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = redirectStdout,
            RedirectStandardError = true,
            RedirectStandardInput = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return info;
    }

    /// <summary>Runs a tool to completion; returns its exit code and the tail of its stderr.</summary>
    public static async Task<(int ExitCode, string Stderr)> RunAsync(string fileName, IEnumerable<string> arguments, CancellationToken cancellationToken)
    {
        using var process = Process.Start(StartInfo(fileName, arguments, redirectStdout: false)) ?? throw new InvalidOperationException($"{fileName} did not start.");
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            KillQuietly(process);
            throw;
        }

        var text = await stderr.ConfigureAwait(false);
        return (process.ExitCode, text.Length > 2000 ? text[^2000..] : text);
    }

    public static void KillQuietly(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
        }
        catch (System.ComponentModel.Win32Exception)
        {
        }
    }
}
