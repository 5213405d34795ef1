using System.Globalization;
using System.Text;

namespace StreamAnalytics.LoadHarness;

/// <summary>
/// Where this process's resident memory lives, from /proc/self/smaps: each mapping's Rss, classed as the .NET GC
/// reservation, glibc malloc's main heap ([heap]) or one of its per-thread arena heaps (64 MiB-aligned), a thread
/// stack (after a guard page), another anonymous mapping (large malloc blocks mmapped directly, ONNX Runtime's
/// arena chunks, OpenCV buffers), or a file. Two snapshots diffed show which kind grew.
/// </summary>
internal static class SoakSmaps
{
    private const long ArenaSize = 64L * 1024 * 1024;

    // "7f12a0000000-7f12a4000000 rw-p 00000000 00:00 0     [name]"
    private static readonly System.Text.RegularExpressions.Regex Header = new("^[0-9a-f]+-[0-9a-f]+ ", System.Text.RegularExpressions.RegexOptions.Compiled);

    public readonly record struct Mapping(ulong Start, ulong End, string Perms, string Name, long RssKb, string Kind);

    public static List<Mapping> Read()
    {
        var raw = new List<(ulong Start, ulong End, string Perms, string Name, long RssKb)>();
        (ulong Start, ulong End, string Perms, string Name)? current = null;
        foreach (var line in File.ReadLines("/proc/self/smaps"))
        {
            if (Header.IsMatch(line))
            {
                var parts = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                var range = parts[0].Split('-');
                current = (ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture), ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture), parts[1], parts.Length > 5 ? parts[5].Trim() : string.Empty);
            }
            else if (line.StartsWith("Rss:", StringComparison.Ordinal) && current is { } c)
            {
                var kb = long.Parse(line[4..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                raw.Add((c.Start, c.End, c.Perms, c.Name, kb));
            }
        }

        // The GC reserves one huge range at start and commits pieces of it, which splits it into many neighbouring
        // anonymous mappings: mark every anonymous mapping chained to one of 1 GiB or more.
        var gc = new bool[raw.Count];
        for (var i = 0; i < raw.Count; i++)
        {
            if (raw[i].Name.Length != 0 || raw[i].End - raw[i].Start < 1UL << 30)
            {
                continue;
            }

            gc[i] = true;
            for (var j = i - 1; j >= 0 && raw[j].Name.Length == 0 && raw[j].End == raw[j + 1].Start; j--)
            {
                gc[j] = true;
            }

            for (var j = i + 1; j < raw.Count && raw[j].Name.Length == 0 && raw[j].Start == raw[j - 1].End; j++)
            {
                gc[j] = true;
            }
        }

        var result = new List<Mapping>(raw.Count);
        for (var i = 0; i < raw.Count; i++)
        {
            var m = raw[i];
            var size = (long)(m.End - m.Start);
            string kind;
            if (m.Name.Length > 0 && m.Name[0] == '/')
            {
                kind = "file-backed";
            }
            else if (m.Name == "[heap]")
            {
                kind = "malloc main heap ([heap])";
            }
            else if (m.Name.StartsWith('[') || m.Name.Length > 0)
            {
                kind = "other named (" + m.Name + ")";
            }
            else if (gc[i])
            {
                kind = ".NET GC reservation";
            }
            else if (m.Start % ArenaSize == 0 && size <= ArenaSize && m.Perms.StartsWith("rw", StringComparison.Ordinal))
            {
                kind = "malloc arena heap (64 MiB)";
            }
            else if (i > 0 && raw[i - 1].Perms.StartsWith("---", StringComparison.Ordinal) && raw[i - 1].End == m.Start && (long)(raw[i - 1].End - raw[i - 1].Start) <= 64 * 1024 && size <= 16L * 1024 * 1024)
            {
                kind = "thread stack";
            }
            else
            {
                kind = "other anonymous (mmapped blocks)";
            }

            result.Add(new Mapping(m.Start, m.End, m.Perms, m.Name, m.RssKb, kind));
        }

        return result;
    }

    public static string Dump(List<Mapping> mappings) =>
        string.Join(Environment.NewLine, mappings.Where(m => m.RssKb > 0).Select(m => string.Create(CultureInfo.InvariantCulture, $"{m.Start:x}-{m.End:x} {m.Perms} {(m.End - m.Start) / 1024} kB mapped, Rss {m.RssKb} kB, {m.Kind} {m.Name}"))) + Environment.NewLine;

    public static Dictionary<string, double> ByKind(List<Mapping> mappings) =>
        mappings.GroupBy(m => m.Kind).ToDictionary(g => g.Key, g => g.Sum(m => m.RssKb) / 1024.0, StringComparer.Ordinal);

    /// <summary>Growth by kind, and the anonymous mappings that grew most (by start address).</summary>
    public static string Diff(List<Mapping> before, List<Mapping> after, string label)
    {
        var c = CultureInfo.InvariantCulture;
        var text = new StringBuilder();
        var a = ByKind(before);
        var b = ByKind(after);
        text.AppendLine(c, $"Resident memory by kind, {label} (MB):");
        text.AppendLine();
        text.AppendLine("| kind | before | after | change |");
        text.AppendLine("|---|---|---|---|");
        foreach (var kind in a.Keys.Union(b.Keys).OrderByDescending(k => Math.Abs(b.GetValueOrDefault(k) - a.GetValueOrDefault(k))))
        {
            text.AppendLine(c, $"| {kind} | {a.GetValueOrDefault(kind):0.0} | {b.GetValueOrDefault(kind):0.0} | {b.GetValueOrDefault(kind) - a.GetValueOrDefault(kind):+0.0;-0.0} |");
        }

        text.AppendLine(c, $"| total | {a.Values.Sum():0.0} | {b.Values.Sum():0.0} | {b.Values.Sum() - a.Values.Sum():+0.0;-0.0} |");
        var beforeByStart = before.GroupBy(m => m.Start).ToDictionary(g => g.Key, g => g.Sum(m => m.RssKb));
        var grown = after
            .Where(m => m.Kind != "file-backed")
            .Select(m => (m, Delta: m.RssKb - beforeByStart.GetValueOrDefault(m.Start)))
            .Where(x => x.Delta >= 1024)
            .OrderByDescending(x => x.Delta)
            .Take(15)
            .ToList();
        text.AppendLine();
        text.AppendLine(c, $"Anonymous mappings that grew by 1 MB or more ({grown.Count} shown; new ones count from 0):");
        text.AppendLine();
        foreach (var (m, delta) in grown)
        {
            text.AppendLine(c, $"- {m.Start:x}-{m.End:x} {m.Perms} ({(m.End - m.Start) / 1024.0 / 1024.0:0.0} MB mapped, {m.Kind}): Rss {(m.RssKb - delta) / 1024.0:0.0} → {m.RssKb / 1024.0:0.0} MB{(beforeByStart.ContainsKey(m.Start) ? string.Empty : " (new mapping)")}");
        }

        return text.ToString();
    }
}
