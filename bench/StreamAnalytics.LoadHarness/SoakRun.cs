using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Hosting;
using StreamAnalytics.Observability;

namespace StreamAnalytics.LoadHarness;

/// <summary>
/// Soak mode (issue 3, "Measure and report"): N looping RTSP cameras through the real pipeline, hosted
/// in-process as the executable hosts it, publishing to an external mosquitto with persistence and the durable
/// outbox in a temp folder. Every <see cref="HarnessOptions.FaultEvery"/> seconds a fault is injected, in turn:
/// the RTSP server is SIGKILLed and restarted 10 s later on the same port, or the broker is stopped (SIGTERM)
/// for 20 s and started again on the same port. Every <see cref="HarnessOptions.SampleEvery"/> seconds it samples
/// memory, threads, descriptors, child processes and events produced vs delivered. At the end the pipeline is
/// stopped gracefully (drain), the subscriber gets what is left, and a CSV plus a Markdown summary are written.
/// </summary>
internal static class SoakRun
{
    private const string TopicPrefix = "sasoak";
    private static readonly TimeSpan RtspDownFor = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan BrokerDownFor = TimeSpan.FromSeconds(20);

    private sealed class Servers
    {
        public required RtspTestServer Rtsp { get; init; }

        public required MosquittoBroker Broker { get; init; }

        public volatile bool RtspRunning = true;

        public volatile string Phase = "warmup";
    }

    internal sealed record Fault(int Index, string Kind, double StartS, double RestoredS, string Recovery, bool Recovered);

    public static async Task<int> RunAsync(HarnessOptions o, string[] args, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.Now;
        // What this binary was built from, as near as can be told: the working tree now, before anyone commits during the soak.
        var revision = Report.SourceRevision();
        var loadAtStart = SelfProc.LoadAverage();
        var outDir = o.OutDir ?? Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"sa-soak-{startedAt:yyyyMMdd-HHmmss}"));
        Directory.CreateDirectory(outDir);
        var work = Directory.CreateTempSubdirectory("sa-soak-work-").FullName;
        var outboxDirectory = Directory.CreateDirectory(Path.Combine(work, "outbox")).FullName;

        var clips = Clips(o);
        var cameraIds = Enumerable.Range(1, o.Cameras).Select(i => $"cam{i}").ToList();
        var mounts = cameraIds.Select((id, i) => (id, clips[i % clips.Count])).ToDictionary(m => m.id, m => m.Item2);
        var total = TimeSpan.FromMinutes(o.Minutes);

        var rtsp = await RtspTestServer.StartAsync(mounts, cancellationToken).ConfigureAwait(false);
        var rtspPort = rtsp.Port;
        MosquittoBroker broker;
        try
        {
            // Persistence, so a SIGTERM saves its sessions and queued QoS 1 messages and the restart on the same port brings them back.
            broker = await MosquittoBroker.StartAsync(new MosquittoSetup(Persistent: true, LogToFile: true, AutosaveSeconds: null), cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await rtsp.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var servers = new Servers { Rtsp = rtsp, Broker = broker };
        Program.Log($"RTSP server on port {rtspPort} (pid {rtsp.ProcessId}); mosquitto on port {broker.Port} (pid {broker.ProcessId}, persistence in {broker.WorkDirectory}); outbox {outboxDirectory}");
        Program.Log($"Cameras: {string.Join(", ", mounts.Select(m => $"{m.Key}={Path.GetFileName(m.Value)}"))}");
        try
        {
            return await SoakAsync(o, args, servers, mounts, cameraIds, outboxDirectory, outDir, total, startedAt, revision, loadAtStart, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await servers.Rtsp.DisposeAsync().ConfigureAwait(false);
            await servers.Broker.DisposeAsync().ConfigureAwait(false);
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task<int> SoakAsync(
        HarnessOptions o,
        string[] args,
        Servers servers,
        Dictionary<string, string> mounts,
        List<string> cameraIds,
        string outboxDirectory,
        string outDir,
        TimeSpan total,
        DateTimeOffset startedAt,
        string revision,
        string loadAtStart,
        CancellationToken cancellationToken)
    {
        var rtspPort = servers.Rtsp.Port;
        var configuration = BuildConfiguration(o, rtspPort, servers.Broker.Port, cameraIds, outboxDirectory);
        var window = configuration.GetSection("StreamAnalytics:Window");
        var schedule = $"{window["Length"]}/{window["Subsample"]}/{window["Hop"]}";
        var decode = $"{configuration["StreamAnalytics:Cameras:0:Width"]}x{configuration["StreamAnalytics:Cameras:0:Height"]}";
        var drainSeconds = configuration["StreamAnalytics:Pipeline:DrainTimeoutSeconds"] ?? "20 (default)";

        using var loggerFactory = LoggerFactory.Create(b => Program.ConfigureLogging(b, o));
        var plan = StreamAnalyticsApp.Prepare(configuration, loggerFactory);
        if (!plan.IsValid)
        {
            throw new InvalidOperationException(CommandLine.FormatProblems(plan.Problems));
        }

        var built = StreamAnalyticsApp.BuildHost(plan, configuration, logging =>
        {
            logging.ClearProviders();
            Program.ConfigureLogging(logging, o);
        });

        // The consumer's session exists before the first event, so everything published is queued for it.
        var subscriber = new SoakSubscriber(servers.Broker.Port, $"{TopicPrefix}/+/events", "sa-soak-subscriber");
        await using var disconnectSubscriber = subscriber.ConfigureAwait(false);
        await subscriber.StartAsync(cancellationToken).ConfigureAwait(false);
        using var tap = new OutboxTap(outboxDirectory);

        var self = Process.GetCurrentProcess();
        var selfPid = self.Id;
        var urlPart = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{rtspPort}/");
        var samples = new List<SoakSample>();
        var faults = new List<Fault>();
        var notes = new List<string>();
        var cpuPrevious = (Cpu: 0.0, Machine: ProcStats.Machine(), At: Stopwatch.GetTimestamp());

        var host = built;
        var clock = Stopwatch.StartNew();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        var metrics = host.Services.GetRequiredService<PipelineMetrics>();
        Program.Log($"Pipeline started: {o.Cameras} cameras, decode {decode}, window {schedule}, model on {plan.Model!.ExecutionProvider}; soaking {o.Minutes:0.#} min with a fault every {o.FaultEvery:0} s");

        SoakSample Sample(string phase)
        {
            var (rss, anon, threads) = SelfProc.Status();
            var processes = SelfProc.AllProcesses();
            var children = processes.Where(p => p.ParentPid == selfPid).ToList();
            self.Refresh();
            var cpu = self.TotalProcessorTime.TotalSeconds;
            var machine = ProcStats.Machine();
            var now = Stopwatch.GetTimestamp();
            var wall = Stopwatch.GetElapsedTime(cpuPrevious.At, now).TotalSeconds;
            var processPct = wall > 0 && cpuPrevious.Cpu > 0 ? 100 * (cpu - cpuPrevious.Cpu) / (wall * Environment.ProcessorCount) : double.NaN;
            var machineTotal = machine.Total - cpuPrevious.Machine.Total;
            var machinePct = machineTotal > 0 ? 100 * (machine.Busy - cpuPrevious.Machine.Busy) / machineTotal : double.NaN;
            cpuPrevious = (cpu, machine, now);
            var zombies = children.Where(p => p.State == 'Z').Select(p => p.Pid).ToList();
            var persisting = 0;
            if (zombies.Count > 0)
            {
                // A child between its exit and the runtime's waitpid is briefly a zombie; only one still there after a
                // second is a leak. Re-read until they are reaped, not a fixed sleep.
                int Persisting() => SelfProc.AllProcesses().Count(p => p.ParentPid == selfPid && p.State == 'Z' && zombies.Contains(p.Pid));
                SpinWait.SpinUntil(() => Persisting() == 0, TimeSpan.FromSeconds(1));
                persisting = Persisting();
            }

            return new SoakSample(
                clock.Elapsed.TotalSeconds,
                phase,
                Mb(rss),
                Mb(anon),
                Mb(GC.GetTotalMemory(false)),
                threads,
                SelfProc.OpenDescriptors(),
                children.Count(p => p.Command == "ffmpeg"),
                SelfProc.FfmpegReading(processes, urlPart).Count,
                zombies.Count,
                Sum(metrics.EventsDetected),
                Sum(metrics.EventsPublished),
                subscriber.Distinct,
                subscriber.Duplicates,
                metrics.OutboxEvents.Value,
                Directory.EnumerateFiles(outboxDirectory, "*.evt").Count(),
                Sum(metrics.FramesDecoded),
                Sum(metrics.FramesDropped),
                Sum(metrics.WindowsBuilt),
                Sum(metrics.WindowsDropped),
                Sum(metrics.Reconnects),
                Sum(metrics.CameraUp),
                metrics.BrokerConnected.Value,
                subscriber.IsConnected,
                servers.Broker.IsRunning,
                servers.RtspRunning,
                processPct,
                machinePct,
                SelfProc.Load1())
            {
                ZombiesPersisting = persisting,
            };
        }

        var portNames = new Dictionary<int, string>
        {
            [rtspPort] = "rtsp",
            [servers.Broker.Port] = "mqtt",
            [int.Parse(configuration["StreamAnalytics:Http:Port"]!, CultureInfo.InvariantCulture)] = "metrics",
        };
        var censuses = new List<(SoakSample Sample, Dictionary<string, int> Census)>();

        var smapsRows = new List<(SoakSample Sample, Dictionary<string, double> ByKind)>();
        List<SoakSmaps.Mapping>? warmMaps = null, endMaps = null, gcMaps = null;

        void Record(SoakSample s)
        {
            var maps = SoakSmaps.Read();
            smapsRows.Add((s, SoakSmaps.ByKind(maps)));
            if (s.Phase == "forced-gc")
            {
                gcMaps = maps;
            }
            else if (s.Phase is not ("stopped" or "delivered" or "disposed"))
            {
                // The end of the minutes 2-3 window the memory target compares against, and the latest sample of the soak.
                if (warmMaps is null && s.Seconds >= 180 - 0.5)
                {
                    warmMaps = maps;
                }

                endMaps = maps;
            }

            var census = SoakFds.Census(portNames);
            s = s with { Fds = census.Values.Sum(), OrphanPipes = census.GetValueOrDefault(SoakFds.OrphanPipe) };
            samples.Add(s);
            censuses.Add((s, census));
            Program.Log(string.Create(CultureInfo.InvariantCulture, $"t={s.Seconds,5:0} s {s.Phase,-12} RSS {s.RssMb:0} MB, managed {s.ManagedMb:0} MB, threads {s.Threads}, fds {s.Fds} (orphan pipes {s.OrphanPipes}), ffmpeg {s.FfmpegChildren}, zombies {s.Zombies}, cameras up {s.CamerasUp:0}, events produced {s.Produced:0} / acked {s.Published:0} / delivered {s.Delivered} (dup {s.Duplicates}), outbox {s.OutboxGauge:0}, CPU proc {s.ProcessCpuPct:0}% machine {s.MachineCpuPct:0}%, load {s.Load1:0.00}"));
        }

        using var faultStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var faultTask = Task.Run(() => InjectFaultsAsync(o, servers, mounts, metrics, subscriber, cameraIds.Count, clock, total, faults, faultStop.Token), CancellationToken.None);

        // Samples on a fixed grid: 0, 10, 20, ... s after the host started.
        var every = TimeSpan.FromSeconds(o.SampleEvery);
        for (var k = 0; ; k++)
        {
            var due = every * k;
            if (due > total)
            {
                break;
            }

            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }

            Record(Sample(k == 0 ? "start" : servers.Phase));
        }

        await faultTask.ConfigureAwait(false);
        var soakEnd = samples.Count;

        // Graceful stop: cameras close, queued windows and events drain, then the service goes offline.
        Program.Log("Stopping the pipeline (drain) ...");
        var stopping = Stopwatch.StartNew();
        using (var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(120)))
        {
            await host.StopAsync(stopTimeout.Token).ConfigureAwait(false);
        }

        var stopTime = stopping.Elapsed;
        var afterStop = Sample("stopped");
        Record(afterStop);
        var leftoverNow = (afterStop.FfmpegChildren, afterStop.FfmpegAnywhere, afterStop.Zombies);

        // Everything the pipeline produced should reach the subscriber: wait for it (the broker may still be flushing the backlog).
        var waiting = Stopwatch.StartNew();
        while (waiting.Elapsed < TimeSpan.FromSeconds(60))
        {
            var tapIds = tap.Events.Values.Select(e => e.EventId).ToList();
            if (subscriber.Distinct >= Sum(metrics.EventsDetected) && tapIds.All(subscriber.Received.ContainsKey))
            {
                break;
            }

            await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        }

        // Each sample is taken as soon as its state is reached: delivery was checked above, and "disposed" is
        // what is left the moment Dispose returns.
        var waitedForDelivery = waiting.Elapsed;
        var final = Sample("delivered");
        Record(final);
        host.Dispose();
        var disposed = Sample("disposed");
        Record(disposed);

        // What is left once the garbage is gone: a full blocking compacting GC, finalizers included (pipes that were
        // only waiting for a finalizer close here).
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        Record(Sample("forced-gc"));

        // Where the descriptors went: their kinds at the start, after a minute, at the end of the soak, after stop and dispose.
        var atMinute = censuses.FirstOrDefault(x => x.Sample.Seconds >= 60 - 0.5 && x.Sample.Phase != "stopped");
        atMinute = atMinute.Census is null ? censuses[0] : atMinute;
        var atEnd = censuses[soakEnd - 1];
        var atStop = censuses.First(x => x.Sample.Phase == "stopped");
        var atDisposed = censuses.First(x => x.Sample.Phase == "disposed");
        var maxFds = censuses.Take(soakEnd).MaxBy(x => x.Sample.Fds);
        notes.Add(string.Create(CultureInfo.InvariantCulture, $"""
            ## Open descriptors by kind

            - t=0: {SoakFds.Format(censuses[0].Census)}
            - t={atMinute.Sample.Seconds:0} s ({atMinute.Sample.Fds}): {SoakFds.Format(atMinute.Census)}
            - end of soak, t={atEnd.Sample.Seconds:0} s ({atEnd.Sample.Fds}): {SoakFds.Format(atEnd.Census)}
            - after a minute → end of soak: {SoakFds.Diff(atMinute.Census, atEnd.Census)}
            - most descriptors, t={maxFds.Sample.Seconds:0} s ({maxFds.Sample.Phase}, {maxFds.Sample.Fds}): {SoakFds.Diff(atMinute.Census, maxFds.Census)} (vs after a minute)
            - end of soak → after stop: {SoakFds.Diff(atEnd.Census, atStop.Census)}
            - t=0 → after dispose: {SoakFds.Diff(censuses[0].Census, atDisposed.Census)}
            """));
        if (warmMaps is not null && endMaps is not null && gcMaps is not null)
        {
            notes.Add("## Resident memory by mapping (/proc/self/smaps)" + Environment.NewLine + Environment.NewLine
                + SoakSmaps.Diff(warmMaps, endMaps, "minute 3 → end of soak") + Environment.NewLine
                + SoakSmaps.Diff(endMaps, gcMaps, "end of soak → after stop, dispose and a forced full GC"));
        }

        if (endMaps is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(outDir, "soak-smaps-end.txt"), SoakSmaps.Dump(endMaps), CancellationToken.None).ConfigureAwait(false);
        }

        var kinds = smapsRows.SelectMany(x => x.ByKind.Keys).Distinct().Order(StringComparer.Ordinal).ToList();
        var smapsCsv = new System.Text.StringBuilder("t_s,phase," + string.Join(',', kinds.Select(k => $"\"{k}\"")) + Environment.NewLine);
        foreach (var (sample, byKind) in smapsRows)
        {
            smapsCsv.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{sample.Seconds:0.0},{sample.Phase},{string.Join(',', kinds.Select(k => byKind.GetValueOrDefault(k).ToString("0.0", CultureInfo.InvariantCulture)))}"));
        }

        await File.WriteAllTextAsync(Path.Combine(outDir, "soak-smaps.csv"), smapsCsv.ToString(), CancellationToken.None).ConfigureAwait(false);
        var csvFds = string.Join(Environment.NewLine, censuses.Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Sample.Seconds:0.0},{x.Sample.Phase},\"{SoakFds.Format(x.Census)}\"")));
        await File.WriteAllTextAsync(Path.Combine(outDir, "soak-fds.csv"), "t_s,phase,kinds" + Environment.NewLine + csvFds + Environment.NewLine, CancellationToken.None).ConfigureAwait(false);

        var result = new SoakResult(
            o, args, cameraIds, mounts, schedule, decode, drainSeconds, plan.Model.ExecutionProvider,
            samples, soakEnd, faults, tap, subscriber, stopTime, waitedForDelivery, leftoverNow,
            Directory.EnumerateFiles(outboxDirectory, "*.evt").Count(), Sum(metrics.EventsDetected), Sum(metrics.EventsPublished),
            metrics.OutboxDropped.Value, Sum(metrics.EventsFailed), startedAt, revision, loadAtStart, SelfProc.LoadAverage(), notes, BrokerLog(servers.Broker));
        var markdown = SoakReport.Markdown(result);
        var csvPath = Path.Combine(outDir, "soak-samples.csv");
        var mdPath = Path.Combine(outDir, "soak-summary.md");
        await File.WriteAllTextAsync(csvPath, SelfProc.Csv(samples), CancellationToken.None).ConfigureAwait(false);
        await File.WriteAllTextAsync(mdPath, markdown, CancellationToken.None).ConfigureAwait(false);
        try
        {
            File.Copy(BrokerLog(servers.Broker), Path.Combine(outDir, "mosquitto.log"), overwrite: true);
        }
        catch (IOException)
        {
        }

        Console.WriteLine(markdown);
        Program.Log($"Wrote {csvPath} and {mdPath}");
        return 0;
    }

    private static async Task InjectFaultsAsync(
        HarnessOptions o,
        Servers servers,
        Dictionary<string, string> mounts,
        PipelineMetrics metrics,
        SoakSubscriber subscriber,
        int cameras,
        Stopwatch clock,
        TimeSpan total,
        List<Fault> faults,
        CancellationToken cancellationToken)
    {
        var every = TimeSpan.FromSeconds(o.FaultEvery);
        for (var k = 1; ; k++)
        {
            var due = every * k;
            var rtspFault = k % 2 == 1;
            // Leave room for the outage and some recovery before the end.
            if (due + (rtspFault ? RtspDownFor : BrokerDownFor) + TimeSpan.FromSeconds(15) > total)
            {
                servers.Phase = "steady";
                return;
            }

            if (due > clock.Elapsed)
            {
                servers.Phase = k == 1 ? "warmup" : "steady";
                await Task.Delay(due - clock.Elapsed, cancellationToken).ConfigureAwait(false);
            }

            var start = clock.Elapsed.TotalSeconds;
            var nextFault = every * (k + 1);
            if (rtspFault)
            {
                servers.Phase = "rtsp-down";
                servers.RtspRunning = false;
                var pid = servers.Rtsp.ProcessId;
                servers.Rtsp.Kill(); // SIGKILL, then wait for it.
                Program.Log($"Fault {k}: RTSP server (pid {pid}) SIGKILLed; restarting it in {RtspDownFor.TotalSeconds:0} s");
                var lowest = double.MaxValue;
                var outage = Stopwatch.StartNew();
                while (outage.Elapsed < RtspDownFor)
                {
                    await Task.Delay(250, cancellationToken).ConfigureAwait(false);
                    lowest = Math.Min(lowest, Sum(metrics.CameraUp));
                }

                await servers.Rtsp.RestartAsync(cancellationToken).ConfigureAwait(false); // Same port.
                servers.RtspRunning = true;
                servers.Phase = "recovering";
                var restored = clock.Elapsed.TotalSeconds;
                Program.Log($"Fault {k}: RTSP server back on port {servers.Rtsp.Port} (pid {servers.Rtsp.ProcessId})");
                var recovered = await WaitAsync(() => Sum(metrics.CameraUp) >= cameras, clock, nextFault, cancellationToken).ConfigureAwait(false);
                var recovery = recovered is { } r
                    ? string.Create(CultureInfo.InvariantCulture, $"cameras up during the outage: at least {lowest:0} of {cameras}; all {cameras} up again {r - restored:0.0} s after the restart")
                    : string.Create(CultureInfo.InvariantCulture, $"cameras up during the outage: at least {lowest:0} of {cameras}; NOT all up again before the next fault ({Sum(metrics.CameraUp):0} up)");
                faults.Add(new Fault(k, "RTSP server SIGKILL, restarted after 10 s", start, restored, recovery, recovered is not null));
                Program.Log($"Fault {k}: {recovery}");
            }
            else
            {
                servers.Phase = "broker-down";
                var pid = servers.Broker.ProcessId;
                var outboxBefore = metrics.OutboxEvents.Value;
                var stopping = Stopwatch.StartNew();
                await servers.Broker.StopAsync().ConfigureAwait(false);
                var stopTook = stopping.Elapsed;
                Program.Log($"Fault {k}: mosquitto (pid {pid}) stopped with SIGTERM in {stopTook.TotalSeconds:0.0} s; starting it again in {BrokerDownFor.TotalSeconds:0} s");
                var peak = outboxBefore;
                var outage = Stopwatch.StartNew();
                while (outage.Elapsed < BrokerDownFor)
                {
                    await Task.Delay(250, cancellationToken).ConfigureAwait(false);
                    peak = Math.Max(peak, metrics.OutboxEvents.Value);
                }

                await servers.Broker.StartAgainAsync(cancellationToken).ConfigureAwait(false);
                servers.Phase = "recovering";
                var restored = clock.Elapsed.TotalSeconds;
                Program.Log($"Fault {k}: mosquitto back on port {servers.Broker.Port} (pid {servers.Broker.ProcessId})");
                var pipelineWait = WaitAsync(() => metrics.BrokerConnected.Value >= 1, clock, nextFault, cancellationToken);
                var subscriberWait = WaitAsync(() => subscriber.IsConnected, clock, nextFault, cancellationToken);
                var drainedWait = WaitAsync(() => metrics.BrokerConnected.Value >= 1 && metrics.OutboxEvents.Value <= 1, clock, nextFault, cancellationToken);
                var pipelineBack = await pipelineWait.ConfigureAwait(false);
                var subscriberBack = await subscriberWait.ConfigureAwait(false);
                var drained = await drainedWait.ConfigureAwait(false);
                string Since(double? t) => t is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v - restored:0.0} s") : "not before the next fault";
                var recovery = string.Create(CultureInfo.InvariantCulture, $"outbox peaked at {peak:0} events; pipeline reconnected after {Since(pipelineBack)}, subscriber after {Since(subscriberBack)}, outbox drained after {Since(drained)}");
                faults.Add(new Fault(k, "mosquitto SIGTERM, restarted after 20 s", start, restored, recovery, pipelineBack is not null && subscriberBack is not null && drained is not null));
                Program.Log($"Fault {k}: {recovery}");
            }

            servers.Phase = "steady";
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds (returns the clock time then) or <paramref name="deadline"/> passes (null).</summary>
    private static async Task<double?> WaitAsync(Func<bool> condition, Stopwatch clock, TimeSpan deadline, CancellationToken cancellationToken)
    {
        while (clock.Elapsed < deadline)
        {
            if (condition())
            {
                return clock.Elapsed.TotalSeconds;
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }

        return null;
    }

    private static string BrokerLog(MosquittoBroker broker) =>
        broker.LogPath ?? throw new InvalidOperationException("The soak broker logs to a file (MosquittoSetup.LogToFile).");

    private static List<string> Clips(HarnessOptions o)
    {
        if (o.Clip is { } clip)
        {
            return File.Exists(clip) ? [clip] : throw new FileNotFoundException($"--clip '{clip}' does not exist.");
        }

        // Real footage light enough for 8 cameras on 2 cores: the UCSD Ped2 test clips (360x240, 10 fps, H.264, 12-18 s each).
        var test = Path.Combine(TestClip.DataSet("ucsd-ped2"), "test");
        var clips = Directory.GetFiles(test, "*.mp4").Order(StringComparer.Ordinal).ToList();
        return clips.Count > 0 ? clips : throw new FileNotFoundException($"No UCSD test videos in {test}.");
    }

    private static IConfiguration BuildConfiguration(HarnessOptions o, int rtspPort, int mqttPort, List<string> cameraIds, string outboxDirectory)
    {
        var appsettings = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: false, reloadOnChange: false)
            .Build();
        var settings = appsettings.AsEnumerable()
            .Where(kv => kv.Value is not null && !kv.Key.StartsWith("StreamAnalytics:Cameras", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);

        static string I(double v) => v.ToString(CultureInfo.InvariantCulture);
        for (var i = 0; i < cameraIds.Count; i++)
        {
            var prefix = $"StreamAnalytics:Cameras:{i}:";
            settings[prefix + "Id"] = cameraIds[i];
            settings[prefix + "Url"] = string.Create(CultureInfo.InvariantCulture, $"rtsp://127.0.0.1:{rtspPort}/{cameraIds[i]}");
            settings[prefix + "Width"] = I(o.Width ?? 320);
            settings[prefix + "Height"] = I(o.Height ?? 240);
        }

        settings["StreamAnalytics:Window:Length"] = I(o.Length ?? 4);
        settings["StreamAnalytics:Window:Subsample"] = I(o.Subsample ?? 4);
        settings["StreamAnalytics:Window:Hop"] = I(o.Hop ?? 4);
        settings["StreamAnalytics:Model:Manifest"] = Path.Combine(AppContext.BaseDirectory, "models", "resnet18", "model.json");
        settings["StreamAnalytics:Detection:Anomaly:Enabled"] = "true";
        settings["StreamAnalytics:Detection:Anomaly:Threshold"] = I(o.Threshold);
        settings["StreamAnalytics:Detection:Anomaly:CooldownSeconds"] = "0";
        settings["StreamAnalytics:Detection:Anomaly:CalibrationWindows"] = I(o.Calibration);
        if (typeof(StreamAnalytics.Configuration.DetectionOptions).GetProperty("Lifecycle") is not null)
        {
            // Incidents (payload v2): with threshold 0 one incident per camera opens and never ends; an update for
            // every window keeps messages flowing at one per window, as before.
            settings["StreamAnalytics:Detection:Lifecycle:UpdateIntervalSeconds"] = "0";
        }

        settings["StreamAnalytics:Mqtt:EmbeddedBroker"] = "false";
        settings["StreamAnalytics:Mqtt:Host"] = "127.0.0.1";
        settings["StreamAnalytics:Mqtt:Port"] = I(mqttPort);
        settings["StreamAnalytics:Mqtt:ClientId"] = "sa-soak-pipeline";
        settings["StreamAnalytics:Mqtt:TopicPrefix"] = TopicPrefix;
        settings["StreamAnalytics:Mqtt:Outbox:Directory"] = outboxDirectory;
        settings["StreamAnalytics:Metrics:Enabled"] = "true";
        settings["StreamAnalytics:Http:Host"] = "127.0.0.1";
        settings["StreamAnalytics:Http:Port"] = I(FreeTcpPort.Next());
        settings["StreamAnalytics:Pipeline:ProgressLogSeconds"] = "0";
        foreach (var (key, value) in o.Overrides)
        {
            settings[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    }

    internal static double Sum(Prometheus.Counter counter) => counter.GetAllLabelValues().Sum(labels => counter.WithLabels(labels).Value);

    internal static double Sum(Prometheus.Gauge gauge) => gauge.GetAllLabelValues().Sum(labels => gauge.WithLabels(labels).Value);

    private static double Mb(long bytes) => bytes / (1024.0 * 1024.0);
}
