using System.Globalization;
using System.Text;

namespace StreamAnalytics.LoadHarness;

internal static class Report
{
    public const string Header =
        "| cams | decode | T/sub/hop | s | in fps/cam (source) | frames dropped (queue/err) | windows/s | windows dropped | encoded fps | infer ms/run | infer ms/frame | CPU % of cores: pipeline+ffmpeg (proc / ffmpeg) | RTSP server % | others % | RSS MB proc (peak) | ffmpeg MB RSS / PSS | alloc B/frame | GC 0/1/2 | events | capture→MQTT p50 / p99 / max ms | capture→detect p50 ms | ffmpeg CPU vs plain decode |\n" +
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";

    public static string Format(
        HarnessOptions o,
        string[] args,
        string clip,
        double sourceFps,
        string schedule,
        string provider,
        Snapshot a,
        Snapshot b,
        RssPeak peak,
        List<(double CaptureToArrival, double CaptureToDetection)> delays,
        long unparsed,
        TimeSpan stopTime,
        DecodeReference.RtspResult? rtsp,
        DecodeReference.FileResult? file)
    {
        var c = CultureInfo.InvariantCulture;
        var s = b.SecondsSince(a);
        var cores = Environment.ProcessorCount;
        double Pct(double cpuSeconds) => 100 * cpuSeconds / (s * cores);
        static double Mb(long bytes) => bytes / (1024.0 * 1024.0);

        var decoded = b.Delta(a, Names.FramesDecoded);
        var fpsPerCamera = decoded / s / o.Cameras;
        var droppedQueue = b.Delta(a, Names.FramesDropped, "reason=\"queue_full\"");
        var droppedError = b.Delta(a, Names.FramesDropped, "reason=\"error\"");
        var windowsBuilt = b.Delta(a, Names.WindowsBuilt);
        var windowsDropped = b.Delta(a, Names.WindowsDropped);
        var encoded = b.Delta(a, Names.FramesEncoded);
        var inferSum = b.Delta(a, Names.InferenceSum);
        var inferRuns = b.Delta(a, Names.InferenceCount);
        var reconnects = b.Delta(a, Names.Reconnects);
        var published = b.Delta(a, Names.EventsPublished);

        var processCpu = b.ProcessCpu - a.ProcessCpu;
        var ffmpegCpu = b.FfmpegCpuSince(a);
        var serverCpu = b.ServerCpu - a.ServerCpu;
        var machineBusy = b.MachineBusy - a.MachineBusy;
        var others = Math.Max(0, machineBusy - processCpu - ffmpegCpu - serverCpu);
        var harnessAllocated = b.HarnessAllocated - a.HarnessAllocated;
        var allocated = b.Allocated - a.Allocated - harnessAllocated;
        var gcs = string.Join('/', Enumerable.Range(0, 3).Select(g => (b.Collections[g] - a.Collections[g]).ToString(c)));

        var arrival = delays.Select(d => d.CaptureToArrival * 1000).Order().ToList();
        var detection = delays.Select(d => d.CaptureToDetection * 1000).Order().ToList();
        string Ms(double v) => double.IsNaN(v) ? "-" : v.ToString("0", c);

        var ffmpegPerCameraPerSecond = ffmpegCpu / o.Cameras / s;
        var ratio = "-";
        if (rtsp is { } r && r.CpuSeconds > 0)
        {
            ratio = string.Create(c, $"{ffmpegPerCameraPerSecond / (r.CpuSeconds / r.Seconds):0.00}x");
        }

        var decode = o.Width is { } w && o.Height is { } h ? $"{w}x{h}" : o.Width is not null || o.Height is not null ? $"{o.Width?.ToString(c) ?? "auto"}x{o.Height?.ToString(c) ?? "auto"}" : "source";
        var row = string.Create(c, $"| {o.Cameras} | {decode} | {schedule} | {s:0} | {fpsPerCamera:0.0} ({sourceFps:0.#}) | {droppedQueue + droppedError:0} ({droppedQueue:0}/{droppedError:0}) | {windowsBuilt / s:0.00} | {windowsDropped:0} | {encoded / s:0.0} | {(inferRuns > 0 ? inferSum / inferRuns * 1000 : double.NaN):0.0} | {(encoded > 0 ? inferSum / encoded * 1000 : double.NaN):0.0} | {Pct(processCpu + ffmpegCpu):0} ({Pct(processCpu):0} / {Pct(ffmpegCpu):0}) | {Pct(serverCpu):0} | {Pct(others):0} | {Mb(b.ProcessRss):0} ({Mb(peak.Process):0}) | {Mb(b.FfmpegRss):0} / {Mb(b.FfmpegPss):0} | {(decoded > 0 ? allocated / decoded : double.NaN):0} | {gcs} | {delays.Count} | {Ms(Percentile(arrival, 50))} / {Ms(Percentile(arrival, 99))} / {Ms(arrival.Count > 0 ? arrival[^1] : double.NaN)} | {Ms(Percentile(detection, 50))} | {ratio} |");

        var text = new StringBuilder();
        text.AppendLine(c, $"Command: dotnet run -c Release --project bench/StreamAnalytics.LoadHarness -- {string.Join(' ', args.Select(Quote))}");
        text.AppendLine(c, $"Source: {SourceRevision()}");
        text.AppendLine(c, $"Machine: {cores} cores ({Environment.OSVersion.VersionString}), .NET {Environment.Version}, model on {provider}; clip {clip}");
        text.AppendLine(c, $"Measured {s:0.0} s after a {o.Warmup:0} s warm-up; stopping the host took {stopTime.TotalSeconds:0.0} s.");
        text.AppendLine(c, $"Frames: {decoded:0} decoded ({fpsPerCamera:0.00} fps per camera of the source's {sourceFps:0.##}: a shortfall is loss before the pipeline's counters, in ffmpeg or the RTSP session), dropped {droppedQueue:0} queue_full + {droppedError:0} error; reconnects {reconnects:0}.");
        text.AppendLine(c, $"Windows: {windowsBuilt:0} built, {windowsDropped:0} dropped before inference; {encoded:0} frames encoded in {inferRuns:0} runs, {inferSum:0.00} s of inference ({100 * inferSum / s:0}% of wall time).");
        text.AppendLine(c, $"CPU seconds: pipeline process {processCpu:0.0}, its ffmpeg children {ffmpegCpu:0.0}, RTSP server {serverCpu:0.0}, whole machine {machineBusy:0.0} of {s * cores:0.0} available (others {others:0.0}).");
        var byThread = ThreadCpu.Between(a.Threads, b.Threads);
        text.AppendLine(c, $"Process CPU by thread ({processCpu:0.0} s): {string.Join("; ", ThreadCpu.Kinds.Select(k => string.Create(c, $"{k} {byThread[k]:0.0} s = {(processCpu > 0 ? 100 * byThread[k] / processCpu : 0):0.0}%")))}. Outside inference and the readers' pipe reads: {(processCpu > 0 ? 100 * (processCpu - byThread[ThreadCpu.Inference] - byThread[ThreadCpu.Readers]) / processCpu : 0):0.0}% of the process.");
        text.AppendLine(c, $"Memory: process RSS {Mb(a.ProcessRss):0} → {Mb(b.ProcessRss):0} MB (peak {Mb(peak.Process):0}), ffmpeg RSS {Mb(b.FfmpegRss):0} MB (peak {Mb(peak.Ffmpeg):0}; PSS, shared libraries split between the ffmpeg processes, {Mb(b.FfmpegPss):0} MB, peak {Mb(peak.FfmpegPss):0}), RTSP server peak {Mb(peak.Server):0} MB.");
        text.AppendLine(c, $"Managed allocation by the pipeline: {Mb(allocated):0.00} MB ({allocated / s / 1024:0.0} KB/s, {(decoded > 0 ? allocated / decoded : 0):0} B per decoded frame), after taking out {Mb(harnessAllocated):0.00} MB the harness allocated itself (/proc, scrapes, events; its HttpClient buffers are not counted); GCs gen0/1/2 {gcs}.");
        text.AppendLine(c, $"Events: {delays.Count} received in the window ({published:0} acknowledged by the broker, {unparsed} unparsable); capture→arrival p50 {Ms(Percentile(arrival, 50))} ms, p99 {Ms(Percentile(arrival, 99))} ms, max {Ms(arrival.Count > 0 ? arrival[^1] : double.NaN)} ms; capture→detectedAt p50 {Ms(Percentile(detection, 50))} ms.");
        if (rtsp is { } rr)
        {
            text.AppendLine(c, $"Plain decode (ffmpeg → null, BGR, same RTSP stream, pipeline stopped): {rr.CpuSeconds:0.0} CPU s over {rr.Seconds:0.0} s for {rr.Frames} frames ({rr.Frames / rr.Seconds:0.0} fps) = {rr.CpuSeconds / rr.Seconds:0.000} cores; the pipeline's ffmpeg used {ffmpegPerCameraPerSecond:0.000} cores per camera → {ratio}.");
        }

        if (file is { } f && f.CpuSeconds > 0)
        {
            text.AppendLine(c, $"Decode capacity (file, as fast as possible, BGR): {f.Frames} frames in {f.WallSeconds:0.00} s wall / {f.CpuSeconds:0.00} CPU s = {f.Frames / f.CpuSeconds:0} frames per CPU second → at most ~{f.Frames / f.CpuSeconds * cores / Math.Max(1, fpsPerCamera):0} cameras of this clip on {cores} cores if decoding were all they did.");
        }

        text.AppendLine();
        text.AppendLine(Header);
        text.Append(row);
        return text.ToString();
    }

    /// <summary>The repository's commit and whether src/ had uncommitted changes when this ran (built from the working tree).</summary>
    internal static string SourceRevision()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "StreamAnalytics.sln")))
            {
                try
                {
                    var head = Git(dir.FullName, "rev-parse", "--short", "HEAD");
                    var dirty = Git(dir.FullName, "status", "--porcelain", "--", "src").Length > 0;
                    return $"{dir.FullName} at {head}{(dirty ? " + uncommitted changes in src/" : string.Empty)}";
                }
                catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    return dir.FullName;
                }
            }
        }

        return "unknown";
    }

    private static string Git(string repository, params string[] args)
    {
        using var process = System.Diagnostics.Process.Start(Tools.StartInfo("git", ["-C", repository, .. args])) ?? throw new InvalidOperationException("git did not start.");
        var output = process.StandardOutput.ReadToEnd().Trim();
        process.WaitForExit();
        return output;
    }

    private static double Percentile(List<double> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        // Nearest rank.
        var rank = (int)Math.Ceiling(p / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    private static string Quote(string arg) =>
        arg.Length > 0 && arg.All(ch => char.IsLetterOrDigit(ch) || "-_./:=,".Contains(ch, StringComparison.Ordinal)) ? arg : "'" + arg.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
