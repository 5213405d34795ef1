using System.Globalization;
using System.Text;

namespace StreamAnalytics.LoadHarness;

/// <summary>One soak sample (every 10 s by default). Memory in MB (MiB), rates in percent of all cores.</summary>
internal sealed record SoakSample(
    double Seconds,
    string Phase,
    double RssMb,
    double RssAnonMb,
    double ManagedMb,
    int Threads,
    int Fds,
    int FfmpegChildren,
    int FfmpegAnywhere,
    int Zombies,
    double Produced,
    double Published,
    int Delivered,
    long Duplicates,
    double OutboxGauge,
    int OutboxFiles,
    double FramesDecoded,
    double FramesDropped,
    double WindowsBuilt,
    double WindowsDropped,
    double Reconnects,
    double CamerasUp,
    double PipelineBrokerConnected,
    bool SubscriberConnected,
    bool BrokerRunning,
    bool RtspRunning,
    double ProcessCpuPct,
    double MachineCpuPct,
    double Load1)
{
    /// <summary>Pipes this process holds that no other process holds (their child is gone): not yet closed.</summary>
    public int OrphanPipes { get; init; }

    /// <summary>Gen-2 garbage collections so far (finalizers run after them).</summary>
    public int Gen2Collections { get; init; } = GC.CollectionCount(2);

    /// <summary>Memory the GC has committed from the OS (managed heap, free space and bookkeeping included).</summary>
    public double GcCommittedMb { get; init; } = GC.GetGCMemoryInfo().TotalCommittedBytes / (1024.0 * 1024.0);

    /// <summary>Zombie children still zombies a second after they were seen (a zombie caught between exit and reaping is not one).</summary>
    public int ZombiesPersisting { get; init; }

    public const string CsvHeader =
        "t_s,phase,rss_mb,rss_anon_mb,managed_mb,threads,fds,ffmpeg_children,ffmpeg_anywhere,zombies,produced,published,delivered_distinct,duplicates,outbox_gauge,outbox_files,frames_decoded,frames_dropped,windows_built,windows_dropped,reconnects,cameras_up,pipeline_broker_connected,subscriber_connected,broker_running,rtsp_running,process_cpu_pct,machine_cpu_pct,load1,orphan_pipes,gen2_collections,gc_committed_mb,zombies_after_1s";

    public string ToCsv() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Seconds:0.0},{Phase},{RssMb:0.0},{RssAnonMb:0.0},{ManagedMb:0.0},{Threads},{Fds},{FfmpegChildren},{FfmpegAnywhere},{Zombies},{Produced:0},{Published:0},{Delivered},{Duplicates},{OutboxGauge:0},{OutboxFiles},{FramesDecoded:0},{FramesDropped:0},{WindowsBuilt:0},{WindowsDropped:0},{Reconnects:0},{CamerasUp:0},{PipelineBrokerConnected:0},{(SubscriberConnected ? 1 : 0)},{(BrokerRunning ? 1 : 0)},{(RtspRunning ? 1 : 0)},{ProcessCpuPct:0.0},{MachineCpuPct:0.0},{Load1:0.00},{OrphanPipes},{Gen2Collections},{GcCommittedMb:0.0},{ZombiesPersisting}");
}

/// <summary>What /proc says about this process and its children.</summary>
internal static class SelfProc
{
    public static (long RssBytes, long RssAnonBytes, int Threads) Status()
    {
        long rss = 0, anon = 0;
        var threads = 0;
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                rss = Kb(line) * 1024;
            }
            else if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
            {
                anon = Kb(line) * 1024;
            }
            else if (line.StartsWith("Threads:", StringComparison.Ordinal))
            {
                threads = (int)Kb(line);
            }
        }

        return (rss, anon, threads);
    }

    /// <summary>Open descriptors: the entries of /proc/self/fd, less the one the listing itself holds open.</summary>
    public static int OpenDescriptors() => Directory.EnumerateFileSystemEntries("/proc/self/fd").Count() - 1;

    public readonly record struct Child(int Pid, int ParentPid, string Command, char State);

    /// <summary>Every process on the machine (pid, ppid, comm, state) from /proc/*/stat.</summary>
    public static List<Child> AllProcesses()
    {
        var result = new List<Child>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                var fields = stat[(close + 2)..].Split(' ');
                result.Add(new Child(pid, int.Parse(fields[1], CultureInfo.InvariantCulture), stat[(open + 1)..close], fields[0][0]));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                // Gone while listing.
            }
        }

        return result;
    }

    /// <summary>ffmpeg processes anywhere on the machine whose command line names <paramref name="urlPart"/> (orphans included).</summary>
    public static List<int> FfmpegReading(IEnumerable<Child> processes, string urlPart)
    {
        var result = new List<int>();
        foreach (var p in processes.Where(p => p.Command == "ffmpeg"))
        {
            try
            {
                var cmdline = File.ReadAllText($"/proc/{p.Pid}/cmdline");
                if (cmdline.Contains(urlPart, StringComparison.Ordinal))
                {
                    result.Add(p.Pid);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
            }
        }

        return result;
    }

    public static double Load1()
    {
        var text = File.ReadAllText("/proc/loadavg");
        return double.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
    }

    public static string LoadAverage() => File.ReadAllText("/proc/loadavg").Trim();

    public static string CpuModel()
    {
        var model = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return model is null ? "unknown" : model[(model.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
    }

    private static long Kb(string line)
    {
        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return long.Parse(parts[1], CultureInfo.InvariantCulture);
    }

    public static string Csv(IEnumerable<SoakSample> samples)
    {
        var text = new StringBuilder();
        text.AppendLine(SoakSample.CsvHeader);
        foreach (var s in samples)
        {
            text.AppendLine(s.ToCsv());
        }

        return text.ToString();
    }
}
