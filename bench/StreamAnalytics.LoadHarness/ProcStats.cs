using System.Globalization;

namespace StreamAnalytics.LoadHarness;

/// <summary>CPU time and resident memory of processes, read from /proc (Linux).</summary>
internal static class ProcStats
{
    private static readonly Lazy<double> TicksPerSecond = new(() =>
    {
        try
        {
            var info = Tools.StartInfo("getconf", ["CLK_TCK"]);
            using var p = System.Diagnostics.Process.Start(info)!;
            var text = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            return double.Parse(text.Trim(), CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or FormatException)
        {
            return 100;
        }
    });

    public static double ClockTicksPerSecond => TicksPerSecond.Value;

    /// <summary>PssBytes (proportional set size: shared library pages split between the processes that map them) is 0 unless asked for.</summary>
    public readonly record struct ProcSample(int Pid, int ParentPid, string Command, double CpuSeconds, long RssBytes, long PssBytes);

    /// <summary>One process's CPU seconds (user + system, its own threads only) and RSS; null when gone.</summary>
    public static ProcSample? Read(int pid, bool withPss = false)
    {
        using var overhead = HarnessOverhead.Measure();
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            var command = stat[(open + 1)..close];
            var fields = stat[(close + 2)..].Split(' ');
            // fields[0] is field 3 (state) of proc(5): field n is fields[n - 3].
            var ppid = int.Parse(fields[1], CultureInfo.InvariantCulture);
            var ticks = double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
            return new ProcSample(pid, ppid, command, ticks / TicksPerSecond.Value, ReadKb($"/proc/{pid}/status", "VmRSS:"), withPss ? ReadKb($"/proc/{pid}/smaps_rollup", "Pss:") : 0);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    /// <summary>Direct children of <paramref name="parentPid"/> whose command is <paramref name="command"/>.</summary>
    public static List<ProcSample> Children(int parentPid, string command, bool withPss = false)
    {
        using var overhead = HarnessOverhead.Measure();
        var result = new List<ProcSample>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            if (Read(pid) is { } sample && sample.ParentPid == parentPid && sample.Command == command)
            {
                result.Add(withPss ? Read(pid, withPss: true) ?? sample : sample);
            }
        }

        return result;
    }

    /// <summary>Machine-wide busy and total CPU seconds since boot (all cores), from /proc/stat.</summary>
    public static (double Busy, double Total) Machine()
    {
        using var overhead = HarnessOverhead.Measure();
        var line = File.ReadLines("/proc/stat").First();
        var values = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(8).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        var total = values.Sum();
        var idle = values[3] + values[4];
        return ((total - idle) / TicksPerSecond.Value, total / TicksPerSecond.Value);
    }

    private static long ReadKb(string file, string key)
    {
        foreach (var line in File.ReadLines(file))
        {
            if (line.StartsWith(key, StringComparison.Ordinal))
            {
                var kb = line[key.Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }
}
