using System.Diagnostics;

namespace StreamAnalytics.LoadHarness;

/// <summary>Metric names the harness reads from the pipeline's Prometheus endpoint.</summary>
internal static class Names
{
    public const string FramesDecoded = "streamanalytics_ingest_frames_decoded_total";
    public const string FramesDropped = "streamanalytics_ingest_frames_dropped_total";
    public const string Reconnects = "streamanalytics_ingest_reconnects_total";
    public const string WindowsBuilt = "streamanalytics_windowing_windows_built_total";
    public const string WindowsDropped = "streamanalytics_windowing_windows_dropped_total";
    public const string InferenceSum = "streamanalytics_inference_duration_seconds_sum";
    public const string InferenceCount = "streamanalytics_inference_duration_seconds_count";
    public const string FramesEncoded = "streamanalytics_inference_frames_encoded_total";
    public const string EventsDetected = "streamanalytics_detection_events_total";
    public const string EventsPublished = "streamanalytics_publishing_events_published_total";
}

/// <summary>Everything measured at one instant: this process, its ffmpeg children, the RTSP server, the machine, the metrics.</summary>
internal sealed record Snapshot(
    DateTimeOffset Time,
    long Timestamp,
    double ProcessCpu,
    Dictionary<int, (string Kind, double Seconds)> Threads,
    long ProcessRss,
    long Allocated,
    long HarnessAllocated,
    int[] Collections,
    IReadOnlyDictionary<int, ProcStats.ProcSample> Ffmpeg,
    double ServerCpu,
    double MachineBusy,
    double MachineTotal,
    PrometheusText Metrics)
{
    /// <summary>
    /// Scrapes the metrics endpoint before reading the allocation counters at the start of the window
    /// (<paramref name="start"/>) and after them at its end, so the harness's own HTTP client stays outside.
    /// </summary>
    public static async Task<Snapshot> TakeAsync(Process self, int serverPid, HttpClient http, string metricsUrl, bool start, CancellationToken cancellationToken)
    {
        var metrics = start ? await PrometheusText.ScrapeAsync(http, metricsUrl, cancellationToken).ConfigureAwait(false) : null;
        var allocated = GC.GetTotalAllocatedBytes(precise: true);
        var harness = HarnessOverhead.Bytes;
        int[] collections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        var time = DateTimeOffset.UtcNow;
        var timestamp = Stopwatch.GetTimestamp();
        self.Refresh();
        var cpu = self.TotalProcessorTime.TotalSeconds;
        var threads = ThreadCpu.Read();
        var rss = self.WorkingSet64;
        var ffmpeg = ProcStats.Children(self.Id, "ffmpeg", withPss: true).ToDictionary(s => s.Pid);
        var server = ProcStats.Read(serverPid)?.CpuSeconds ?? 0;
        var (busy, total) = ProcStats.Machine();
        metrics ??= await PrometheusText.ScrapeAsync(http, metricsUrl, cancellationToken).ConfigureAwait(false);
        return new Snapshot(time, timestamp, cpu, threads, rss, allocated, harness, collections, ffmpeg, server, busy, total, metrics);
    }

    public double SecondsSince(Snapshot earlier) => Stopwatch.GetElapsedTime(earlier.Timestamp, Timestamp).TotalSeconds;

    public long FfmpegRss => Ffmpeg.Values.Sum(s => s.RssBytes);

    public long FfmpegPss => Ffmpeg.Values.Sum(s => s.PssBytes);

    /// <summary>CPU seconds the ffmpeg children used since <paramref name="earlier"/> (a child started in between counts from 0).</summary>
    public double FfmpegCpuSince(Snapshot earlier) =>
        Ffmpeg.Values.Sum(s => s.CpuSeconds - (earlier.Ffmpeg.TryGetValue(s.Pid, out var before) ? before.CpuSeconds : 0));

    public double Delta(Snapshot earlier, string name, string? label = null) => Metrics.Sum(name, label) - earlier.Metrics.Sum(name, label);
}

/// <summary>Samples resident memory once a second and keeps the peaks (ffmpeg children are looked up again every 10 s).</summary>
internal sealed class RssPeak(int selfPid)
{
    private List<int> _ffmpeg = [];

    public long Process { get; private set; }

    public long Ffmpeg { get; private set; }

    public long FfmpegPss { get; private set; }

    public long Server { get; private set; }

    public async Task RunAsync(int serverPid, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            var tick = 0;
            do
            {
                if (tick++ % 10 == 0)
                {
                    _ffmpeg = [.. ProcStats.Children(selfPid, "ffmpeg").Select(s => s.Pid)];
                }

                Process = Math.Max(Process, ProcStats.Read(selfPid)?.RssBytes ?? 0);
                var ffmpeg = _ffmpeg.Select(pid => ProcStats.Read(pid, withPss: true)).OfType<ProcStats.ProcSample>().ToList();
                Ffmpeg = Math.Max(Ffmpeg, ffmpeg.Sum(s => s.RssBytes));
                FfmpegPss = Math.Max(FfmpegPss, ffmpeg.Sum(s => s.PssBytes));
                Server = Math.Max(Server, ProcStats.Read(serverPid)?.RssBytes ?? 0);
            }
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException)
        {
        }
    }
}
