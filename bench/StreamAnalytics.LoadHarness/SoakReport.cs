using System.Globalization;
using System.Text;

namespace StreamAnalytics.LoadHarness;

/// <summary>Everything the soak measured, for the report.</summary>
internal sealed record SoakResult(
    HarnessOptions Options,
    string[] Args,
    List<string> CameraIds,
    Dictionary<string, string> Mounts,
    string Schedule,
    string Decode,
    string DrainSeconds,
    string Provider,
    List<SoakSample> Samples,
    int SoakSampleCount,
    List<SoakRun.Fault> Faults,
    OutboxTap Tap,
    SoakSubscriber Subscriber,
    TimeSpan StopTime,
    TimeSpan WaitedForDelivery,
    (int FfmpegChildren, int FfmpegAnywhere, int Zombies) LeftoverRightAfterStop,
    int OutboxFilesLeft,
    double Produced,
    double Published,
    double OutboxDropped,
    double PublishFailures,
    DateTimeOffset StartedAt,
    string Revision,
    string LoadAtStart,
    string LoadAtEnd,
    List<string> Notes,
    string BrokerLog);

internal static class SoakReport
{
    public static string Markdown(SoakResult r)
    {
        var c = CultureInfo.InvariantCulture;
        var o = r.Options;
        var text = new StringBuilder();
        var soak = r.Samples.Take(r.SoakSampleCount).ToList();
        var first = soak[0];
        var lastSoak = soak[^1];
        var stopped = r.Samples.First(s => s.Phase == "stopped");
        var delivered = r.Samples.First(s => s.Phase == "delivered");
        var disposed = r.Samples.First(s => s.Phase == "disposed");
        var forcedGc = r.Samples.First(s => s.Phase == "forced-gc");
        var afterWarmup = soak.FirstOrDefault(s => s.Seconds >= 60 - 0.5) ?? first;

        // Events: produced (the pipeline's counter), the ids the outbox tap saw, and what the subscriber got.
        var tapIds = r.Tap.Events.ToDictionary(e => e.Value.EventId, e => e.Key, StringComparer.Ordinal);
        var received = r.Subscriber.Received;
        var missing = r.Tap.Events.Where(e => !received.ContainsKey(e.Value.EventId)).OrderBy(e => e.Key).ToList();
        var unknownDelivered = received.Keys.Count(id => !tapIds.ContainsKey(id));
        var notTapped = r.Produced - r.Tap.Events.Count;
        var lost = Math.Max(0, r.Produced - received.Count);
        var orderInversions = 0;
        foreach (var (_, list) in r.Subscriber.ByCamera())
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            long max = 0;
            foreach (var (id, _) in list)
            {
                if (!seen.Add(id) || !tapIds.TryGetValue(id, out var sequence))
                {
                    continue;
                }

                if (sequence < max)
                {
                    orderInversions++;
                }

                max = Math.Max(max, sequence);
            }
        }

        // Memory: mean of the samples at minutes 2-3 against the mean of the last three samples of the soak.
        var warm = soak.Where(s => s.Seconds >= 120 - 0.5 && s.Seconds <= 180 + 0.5).ToList();
        if (warm.Count == 0)
        {
            warm = soak.Skip(soak.Count / 3).Take(Math.Max(1, soak.Count / 3)).ToList();
        }

        var last3 = soak.TakeLast(3).ToList();
        double Growth(Func<SoakSample, double> f) => 100 * ((last3.Average(f) / warm.Average(f)) - 1);
        var rssGrowth = Growth(s => s.RssMb);
        var anonGrowth = Growth(s => s.RssAnonMb);
        var managedGrowth = Growth(s => s.ManagedMb);
        static double Native(SoakSample s) => s.RssAnonMb - s.GcCommittedMb;
        string Mean(IEnumerable<SoakSample> set, Func<SoakSample, double> f) => set.Average(f).ToString("0.0", c);

        // For runs longer than 10 minutes: the same comparison at minute 10 (samples at 580, 590 and 600 s).
        var atTen = soak.Where(s => s.Seconds >= 580 - 0.5 && s.Seconds <= 600 + 0.5).ToList();
        var tenMinutes = o.Minutes > 10.5 && atTen.Count > 0
            ? string.Create(c, $"; at minute 10 (samples 580-600 s) {atTen.Average(s => s.RssMb):0.0} MB, {100 * ((atTen.Average(s => s.RssMb) / warm.Average(s => s.RssMb)) - 1):+0.0;-0.0}%")
            : string.Empty;
        var slope = Slope(soak.Where(s => s.Seconds >= 120 - 0.5).Select(s => (s.Seconds / 60, s.RssMb)).ToList());

        var loads = soak.Select(s => s.Load1).ToList();
        string Verdict(bool ok) => ok ? "**pass**" : "**FAIL**";

        text.AppendLine(c, $"# Soak: {o.Cameras} cameras, {o.Minutes:0.#} min, a fault every {o.FaultEvery:0} s");
        text.AppendLine();
        text.AppendLine(c, $"- Command: `dotnet run -c Release --project bench/StreamAnalytics.LoadHarness -- {string.Join(' ', r.Args)}`");
        text.AppendLine(c, $"- Started {r.StartedAt:yyyy-MM-dd HH:mm:ss zzz}; source {r.Revision} (when the soak started)");
        text.AppendLine(c, $"- Machine: {Environment.ProcessorCount} cores, {SelfProc.CpuModel()}, {Environment.OSVersion.VersionString}, .NET {Environment.Version}; model on {r.Provider}");
        text.AppendLine(c, $"- Load average (1/5/15 min) at start `{r.LoadAtStart}`, at end `{r.LoadAtEnd}`; 1-min load over the samples min {loads.Min():0.00} / mean {loads.Average():0.00} / max {loads.Max():0.00}; machine CPU busy mean {soak.Skip(1).Select(s => s.MachineCpuPct).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average():0}%, this process (pipeline + harness, ffmpeg not included) {soak.Skip(1).Select(s => s.ProcessCpuPct).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average():0}% of all cores");
        text.AppendLine(c, $"- Cameras: {string.Join(", ", r.Mounts.Select(m => $"{m.Key}={Path.GetFileName(m.Value)}"))} (RTSP, looping); decode {r.Decode}; window {r.Schedule}; anomaly threshold {o.Threshold.ToString(c)}, cooldown 0 s, {o.Calibration} calibration windows; external mosquitto with persistence; durable outbox (product defaults otherwise); drain timeout {r.DrainSeconds} s");
        text.AppendLine(c, $"- Faults alternate: (a) RTSP server SIGKILL, restarted 10 s later on the same port; (b) mosquitto SIGTERM, restarted 20 s later on the same port. Samples every {o.SampleEvery:0} s.");
        text.AppendLine();
        text.AppendLine("## Verdict");
        text.AppendLine();
        text.AppendLine("| Target | Measured | Verdict |");
        text.AppendLine("|---|---|---|");
        text.AppendLine(c, $"| Nothing lost | produced {r.Produced:0} event messages (streamanalytics_detection_events_total), acknowledged by the broker {r.Published:0}, delivered {received.Count} distinct (by messageId; {r.Subscriber.Incidents} distinct eventIds); missing {missing.Count} of the {r.Tap.Events.Count} ids read from the outbox ({notTapped:0} produced messages whose id the tap did not read, {unknownDelivered} delivered ids it did not read); outbox dropped {r.OutboxDropped:0}, left on disk {r.OutboxFilesLeft}; unparsable {r.Subscriber.Unparsed} | {Verdict(missing.Count == 0 && lost == 0 && r.OutboxDropped == 0)} |");
        text.AppendLine(c, $"| Duplicates (at-least-once, allowed) | {r.Subscriber.Duplicates} extra copies in {r.Subscriber.Messages} messages; {r.PublishFailures:0} failed publish attempts retried | info |");
        text.AppendLine(c, $"| Order per camera | {orderInversions} first arrivals out of outbox order | {Verdict(orderInversions == 0)} |");
        text.AppendLine(c, $"| RSS growth after warm-up < 5% | mean of {warm.Count} samples at minutes 2-3 {warm.Average(s => s.RssMb):0.0} MB → mean of the last 3 {last3.Average(s => s.RssMb):0.0} MB: {rssGrowth:+0.0;-0.0}% (anonymous RSS {anonGrowth:+0.0;-0.0}%; trend from minute 2 {slope:+0.00;-0.00} MB/min) | {Verdict(rssGrowth < 5)} |");
        text.AppendLine(c, $"| RSS, split | anonymous {Mean(warm, s => s.RssAnonMb)} → {Mean(last3, s => s.RssAnonMb)} MB, of which GC-committed {Mean(warm, s => s.GcCommittedMb)} → {Mean(last3, s => s.GcCommittedMb)} MB and the rest (native: ONNX Runtime, OpenCV, thread stacks, malloc) {Mean(warm, Native)} → {Mean(last3, Native)} MB; file-backed {Mean(warm, s => s.RssMb - s.RssAnonMb)} → {Mean(last3, s => s.RssMb - s.RssAnonMb)} MB{tenMinutes} | info |");
        text.AppendLine(c, $"| Managed heap (GC.GetTotalMemory(false)) | {warm.Average(s => s.ManagedMb):0.0} MB → {last3.Average(s => s.ManagedMb):0.0} MB ({managedGrowth:+0;-0}%; includes garbage not yet collected); after stop, dispose and a forced full GC: {forcedGc.ManagedMb:0.0} MB managed, RSS {forcedGc.RssMb:0.0} MB | info |");
        text.AppendLine(c, $"| Threads | start {first.Threads}, after 1 min {afterWarmup.Threads}, end of soak {lastSoak.Threads} (min {soak.Skip(1).Min(s => s.Threads)}, max {soak.Max(s => s.Threads)}), after stop {stopped.Threads}, after dispose {disposed.Threads} | {Verdict(lastSoak.Threads <= afterWarmup.Threads + 5)} |");
        text.AppendLine(c, $"| Open descriptors | start {first.Fds}, after 1 min {afterWarmup.Fds}, end of soak {lastSoak.Fds} (min {soak.Skip(1).Min(s => s.Fds)}, max {soak.Max(s => s.Fds)}), after stop {stopped.Fds}, after dispose {disposed.Fds} ; pipes held open after their child exited: max {soak.Max(s => s.OrphanPipes)} during the soak, {lastSoak.OrphanPipes} at its end, {disposed.OrphanPipes} after dispose, {forcedGc.OrphanPipes} after a forced GC ({forcedGc.Fds} descriptors then); mean of the last 3 samples {last3.Average(s => s.Fds):0} vs minutes 2-3 {warm.Average(s => s.Fds):0} | {Verdict(last3.Average(s => s.Fds) <= warm.Average(s => s.Fds) + 5)} |");
        text.AppendLine(c, $"| No leftover ffmpeg after stop | right after StopAsync: {r.LeftoverRightAfterStop.FfmpegChildren} children, {r.LeftoverRightAfterStop.FfmpegAnywhere} ffmpeg anywhere on the machine reading our RTSP port; after delivery wait: {delivered.FfmpegChildren} / {delivered.FfmpegAnywhere}; during the soak {soak.Min(s => s.FfmpegChildren)}-{soak.Max(s => s.FfmpegChildren)} children (never more than {o.Cameras} expected) | {Verdict(r.LeftoverRightAfterStop.FfmpegChildren == 0 && r.LeftoverRightAfterStop.FfmpegAnywhere == 0 && soak.Max(s => s.FfmpegChildren) <= o.Cameras)} |");
        text.AppendLine(c, $"| No zombies | still a zombie 1 s later: max {r.Samples.Max(s => s.ZombiesPersisting)}; caught between exit and reaping: {soak.Count(s => s.Zombies > 0)} samples (max {soak.Max(s => s.Zombies)}); {stopped.Zombies} after stop | {Verdict(r.Samples.Max(s => s.ZombiesPersisting) == 0 && stopped.Zombies == 0)} |");
        text.AppendLine();
        text.AppendLine(c, $"Stopping the host (drain) took {r.StopTime.TotalSeconds:0.0} s; the subscriber had everything {r.WaitedForDelivery.TotalSeconds:0.0} s later. Subscriber connects: {r.Subscriber.Connects}. Outbox tap: {r.Tap.Events.Count} ids read, {r.Tap.Missed.Count} files gone before it could open them, {r.Tap.Overflows} inotify overflows, highest sequence {r.Tap.MaxSequence}.");
        text.AppendLine();
        text.AppendLine("## Faults");
        text.AppendLine();
        text.AppendLine("| # | at s | fault | restored at s | recovery |");
        text.AppendLine("|---|---|---|---|---|");
        foreach (var f in r.Faults)
        {
            text.AppendLine(c, $"| {f.Index} | {f.StartS:0} | {f.Kind} | {f.RestoredS:0} | {f.Recovery} |");
        }

        text.AppendLine();
        text.AppendLine("## Samples (one a minute; every sample is in soak-samples.csv)");
        text.AppendLine();
        text.AppendLine("| t s | phase | RSS MB | RSS anon MB | GC committed MB | managed MB | gen2 GCs | threads | fds | orphan pipes | ffmpeg | zombies | cams up | reconnects | produced | acked | delivered | dup | outbox | frames dropped | windows dropped | CPU proc % | CPU machine % | load 1m |");
        text.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        var perMinute = soak.Where(s => IsMinute(s.Seconds, o.SampleEvery)).Concat(r.Samples.Skip(r.SoakSampleCount));
        foreach (var s in perMinute)
        {
            text.AppendLine(c, $"| {s.Seconds:0} | {s.Phase} | {s.RssMb:0.0} | {s.RssAnonMb:0.0} | {s.GcCommittedMb:0.0} | {s.ManagedMb:0.0} | {s.Gen2Collections} | {s.Threads} | {s.Fds} | {s.OrphanPipes} | {s.FfmpegChildren} | {s.Zombies} | {s.CamerasUp:0} | {s.Reconnects:0} | {s.Produced:0} | {s.Published:0} | {s.Delivered} | {s.Duplicates} | {s.OutboxGauge:0} | {s.FramesDropped:0} | {s.WindowsDropped:0} | {Pct(s.ProcessCpuPct)} | {Pct(s.MachineCpuPct)} | {s.Load1:0.00} |");
        }

        text.AppendLine();
        text.AppendLine(c, $"## Missing events ({missing.Count})");
        text.AppendLine();
        if (missing.Count == 0)
        {
            text.AppendLine("None: every id read from the outbox reached the subscriber.");
        }
        else
        {
            foreach (var (sequence, e) in missing.Take(200))
            {
                text.AppendLine(c, $"- outbox #{sequence}, camera {e.CameraId}: `{e.EventId}`");
            }

            if (missing.Count > 200)
            {
                text.AppendLine(c, $"- ... and {missing.Count - 200} more");
            }
        }

        text.AppendLine();
        text.AppendLine("## Subscriber connections");
        text.AppendLine();
        foreach (var line in r.Subscriber.ConnectLog)
        {
            text.AppendLine(c, $"- {line}");
        }

        foreach (var note in r.Notes)
        {
            text.AppendLine();
            text.AppendLine(note);
        }

        return text.ToString();
    }

    private static bool IsMinute(double seconds, double sampleEvery)
    {
        var minute = Math.Round(seconds / 60) * 60;
        return Math.Abs(seconds - minute) < sampleEvery / 2;
    }

    private static string Pct(double v) => double.IsNaN(v) ? "-" : v.ToString("0", CultureInfo.InvariantCulture);

    /// <summary>Least-squares slope of y over x.</summary>
    private static double Slope(List<(double X, double Y)> points)
    {
        if (points.Count < 2)
        {
            return double.NaN;
        }

        var mx = points.Average(p => p.X);
        var my = points.Average(p => p.Y);
        var sxx = points.Sum(p => (p.X - mx) * (p.X - mx));
        return sxx == 0 ? double.NaN : points.Sum(p => (p.X - mx) * (p.Y - my)) / sxx;
    }
}
