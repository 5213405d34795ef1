using System.Globalization;

namespace StreamAnalytics.LoadHarness;

/// <summary>
/// CPU seconds of this process's threads, grouped by what the thread's name says it does, from
/// /proc/self/task/*/stat. It answers "how much of the process is neither decode nor inference": the
/// pipeline runs every model call on its own named thread (sa-infer-*, with ONNX Runtime's threads named sa-onnx), camera readers on long-running
/// threads, and everything else (windowing, preprocessing, motion, detection, publishing) on the pool.
/// </summary>
internal static class ThreadCpu
{
    public const string Inference = "inference (sa-infer, ONNX Runtime's sa-onnx threads)";
    public const string Readers = "camera readers (pipe reads)";
    public const string Workers = "thread pool (windowing, preprocessing, motion, detection, publishing, harness)";
    public const string Runtime = "runtime and other (GC, timers, logging, metrics server, main)";

    public static readonly IReadOnlyList<string> Kinds = [Inference, Readers, Workers, Runtime];

    /// <summary>Thread id → (kind, CPU seconds) now.</summary>
    public static Dictionary<int, (string Kind, double Seconds)> Read()
    {
        using var overhead = HarnessOverhead.Measure();
        var result = new Dictionary<int, (string, double)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                var name = stat[(open + 1)..close];
                var fields = stat[(close + 2)..].Split(' ');
                var ticks = double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture);
                result[int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture)] = (KindOf(name), ticks / ProcStats.ClockTicksPerSecond);
            }
            catch (Exception ex) when (ex is IOException or FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
            {
                // The thread ended between listing and reading.
            }
        }

        return result;
    }

    /// <summary>Per kind, the CPU seconds used between two readings (a thread that ended in between is lost; one that started counts from 0).</summary>
    public static Dictionary<string, double> Between(Dictionary<int, (string Kind, double Seconds)> before, Dictionary<int, (string Kind, double Seconds)> after)
    {
        var sums = Kinds.ToDictionary(k => k, _ => 0.0);
        foreach (var (tid, (kind, seconds)) in after)
        {
            sums[kind] += seconds - (before.TryGetValue(tid, out var earlier) ? earlier.Seconds : 0);
        }

        return sums;
    }

    private static string KindOf(string name) => name switch
    {
        // ONNX Runtime's own threads are named after the thread that built the session (OnnxModel: "sa-onnx").
        _ when name.StartsWith("sa-infer", StringComparison.Ordinal) || name.StartsWith("sa-onnx", StringComparison.Ordinal) => Inference,
        // Linux keeps 15 characters of a thread's name: ".NET Long Running Task" reads ".NET Long Runni".
        _ when name.StartsWith(".NET Long Runni", StringComparison.Ordinal) => Readers,
        _ when name.StartsWith(".NET TP Worker", StringComparison.Ordinal) => Workers,
        _ => Runtime,
    };
}
