using System.Diagnostics;

namespace StreamAnalytics.Ingest;

/// <summary>Starts tools such as ffmpeg with an argument list (never a shell string) and kills them for sure.</summary>
internal static class ChildProcess
{
    public static Process Start(string fileName, IReadOnlyList<string> arguments, bool redirectStdout)
    {
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = redirectStdout,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            CreateNoWindow = true,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        return Process.Start(info) ?? throw new InvalidOperationException($"{fileName} did not start.");
    }

    /// <summary>
    /// Closes the redirected pipes once the child has exited. Process.Dispose leaves a redirected stream open
    /// when the caller has touched it (StandardOutput/StandardError), so without this each session keeps two
    /// pipe descriptors until a gen-2 GC finalizes them: 54 at once were seen in the soak (docs/soak.md).
    /// </summary>
    public static void ClosePipes(Process process)
    {
        if (process.StartInfo.RedirectStandardOutput)
        {
            process.StandardOutput.Dispose();
        }

        if (process.StartInfo.RedirectStandardError)
        {
            process.StandardError.Dispose();
        }
    }

    /// <summary>SIGKILL: a hung ffmpeg ignores SIGTERM and SIGINT.</summary>
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
            // Exited between the check and the kill.
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // Already gone.
        }
    }
}
