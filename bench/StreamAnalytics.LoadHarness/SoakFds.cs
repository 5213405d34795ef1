using System.Globalization;

namespace StreamAnalytics.LoadHarness;

/// <summary>
/// What this process's open descriptors point at, by kind: "pipe", "tcp → :PORT (name)", "unix", "anon_inode:[eventpoll]",
/// a file path (with digits in file names folded), so a growth can be traced to its owner.
/// </summary>
internal static class SoakFds
{
    public const string OrphanPipe = "pipe, other end closed (its process is gone)";

    public static Dictionary<string, int> Census(IReadOnlyDictionary<int, string> portNames)
    {
        var sockets = SocketTable(portNames);
        var pipes = PipeHolders();
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        var targets = new List<string>();
        foreach (var entry in Directory.EnumerateFileSystemEntries("/proc/self/fd"))
        {
            try
            {
                targets.Add(new FileInfo(entry).LinkTarget ?? "?");
            }
            catch (IOException)
            {
                // Closed while listing.
            }
        }

        var ownPipeEnds = targets.Where(t => t.StartsWith("pipe:", StringComparison.Ordinal)).CountBy(t => t).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
        foreach (var target in targets)
        {
            string kind;
            if (target.StartsWith("socket:[", StringComparison.Ordinal))
            {
                var inode = target[8..^1];
                kind = sockets.TryGetValue(inode, out var described) ? described : "socket (other)";
            }
            else if (target.StartsWith("pipe:", StringComparison.Ordinal))
            {
                // A pipe whose other end no other process holds is dead weight: its writer (a child) is gone.
                kind = pipes.TryGetValue(target, out var holder) ? $"pipe ↔ {holder}"
                    : ownPipeEnds[target] > 1 ? "pipe, both ends in this process"
                    : OrphanPipe;
            }
            else if (target.EndsWith(".dll", StringComparison.Ordinal) || System.Text.RegularExpressions.Regex.IsMatch(target, @"\.so(\.[0-9.]+)?$"))
            {
                kind = "assembly / library file";
            }
            else if (target.StartsWith("/proc/", StringComparison.Ordinal) && target.Contains("/fd", StringComparison.Ordinal))
            {
                // The listing's own descriptor.
                continue;
            }
            else
            {
                kind = System.Text.RegularExpressions.Regex.Replace(target, "[0-9]{3,}", "N");
            }

            result[kind] = result.GetValueOrDefault(kind) + 1;
        }

        return result;
    }

    /// <summary>Kinds whose count changed from <paramref name="before"/> to <paramref name="after"/>, biggest change first.</summary>
    public static string Diff(Dictionary<string, int> before, Dictionary<string, int> after)
    {
        var changes = before.Keys.Union(after.Keys)
            .Select(k => (Kind: k, Delta: after.GetValueOrDefault(k) - before.GetValueOrDefault(k), Before: before.GetValueOrDefault(k), After: after.GetValueOrDefault(k)))
            .Where(x => x.Delta != 0)
            .OrderByDescending(x => Math.Abs(x.Delta))
            .Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Kind}: {x.Before} → {x.After} ({x.Delta:+0;-0})"))
            .ToList();
        return changes.Count == 0 ? "no change" : string.Join("; ", changes);
    }

    public static string Format(Dictionary<string, int> census) =>
        string.Join("; ", census.OrderByDescending(kv => kv.Value).Select(kv => string.Create(CultureInfo.InvariantCulture, $"{kv.Key} ×{kv.Value}")));

    /// <summary>pipe:[inode] → command of another process that has it open (this process excluded).</summary>
    private static Dictionary<string, string> PipeHolders()
    {
        var self = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var holders = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            var pid = Path.GetFileName(dir);
            if (pid == self || pid.Length == 0 || !char.IsAsciiDigit(pid[0]))
            {
                continue;
            }

            try
            {
                string? command = null;
                foreach (var fd in Directory.EnumerateFileSystemEntries(Path.Combine(dir, "fd")))
                {
                    var target = new FileInfo(fd).LinkTarget;
                    if (target is not null && target.StartsWith("pipe:", StringComparison.Ordinal))
                    {
                        command ??= File.ReadAllText(Path.Combine(dir, "comm")).Trim();
                        holders.TryAdd(target, command);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Gone while listing, or not ours to read.
            }
        }

        return holders;
    }

    /// <summary>socket inode → description, from /proc/net/tcp, tcp6 and unix.</summary>
    private static Dictionary<string, string> SocketTable(IReadOnlyDictionary<int, string> portNames)
    {
        var table = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(file))
            {
                continue;
            }

            foreach (var line in File.ReadLines(file).Skip(1))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 10)
                {
                    continue;
                }

                var local = Port(f[1]);
                var remote = Port(f[2]);
                var state = f[3] switch
                {
                    "01" => "established",
                    "0A" => "listen",
                    "06" => "time-wait",
                    "08" => "close-wait",
                    _ => "state " + f[3],
                };
                string Name(int port) => portNames.TryGetValue(port, out var n) ? $":{port.ToString(CultureInfo.InvariantCulture)} ({n})" : ":other";
                table[f[9]] = state == "listen"
                    ? $"tcp listen {Name(local)}"
                    : $"tcp {state} → {Name(remote)}";
            }
        }

        if (File.Exists("/proc/net/unix"))
        {
            foreach (var line in File.ReadLines("/proc/net/unix").Skip(1))
            {
                var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length >= 7)
                {
                    table[f[6]] = f.Length >= 8 ? "unix " + System.Text.RegularExpressions.Regex.Replace(f[7], "[0-9]{3,}", "N") : "unix";
                }
            }
        }

        return table;
    }

    private static int Port(string hexAddress) =>
        int.Parse(hexAddress[(hexAddress.LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
