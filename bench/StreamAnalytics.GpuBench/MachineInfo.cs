using System.ComponentModel;
using System.Diagnostics;

namespace StreamAnalytics.GpuBench;

/// <summary>The machine a figure came from, and the command that produced it.</summary>
internal static class MachineInfo
{
    public static string Describe()
    {
        var cpu = CpuModel();
        var gpu = Gpu();
        return gpu is null ? $"CPU {cpu} (no nvidia-smi)" : $"GPU {gpu}; CPU {cpu}";
    }

    /// <summary><c>nvidia-smi --query-gpu=name</c> (with driver and memory), or null when there is no nvidia-smi.</summary>
    private static string? Gpu()
    {
        try
        {
            var start = new ProcessStartInfo("nvidia-smi", ["--query-gpu=name,driver_version,memory.total", "--format=csv,noheader"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit(10_000);
            return process.ExitCode == 0 && output.Length > 0 ? string.Join("; ", output.Split('\n', StringSplitOptions.TrimEntries)) : null;
        }
        catch (Win32Exception)
        {
            return null;
        }
    }

    private static string CpuModel()
    {
        var model = "unknown CPU";
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null)
            {
                model = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            }
        }
        catch (IOException)
        {
        }

        var load = string.Empty;
        try
        {
            // Other work on the machine skews CPU figures: say how busy it was.
            load = $", load average {string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3))}";
        }
        catch (IOException)
        {
        }

        return $"{model}, {Environment.ProcessorCount} logical cores{load}";
    }

    /// <summary>The command as typed, near enough to paste: the executable (or <c>dotnet DLL</c>) and the quoted arguments.</summary>
    public static string CommandLine(IEnumerable<string> args)
    {
        var process = Environment.ProcessPath ?? "StreamAnalytics.GpuBench";
        var executable = Path.GetFileNameWithoutExtension(process) == "dotnet"
            ? $"dotnet {Relative(typeof(MachineInfo).Assembly.Location)}"
            : Relative(process);
        return string.Join(' ', [executable, .. args.Select(Quote)]);
    }

    private static string Relative(string path)
    {
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, path);
        return relative.StartsWith("..", StringComparison.Ordinal) ? path : "./" + relative;
    }

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(c => char.IsAsciiLetterOrDigit(c) || "-_./,=:+".Contains(c, StringComparison.Ordinal)) ? arg : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
