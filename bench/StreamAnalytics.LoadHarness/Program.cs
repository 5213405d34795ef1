using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using StreamAnalytics.Hosting;
using StreamAnalytics.Observability;

namespace StreamAnalytics.LoadHarness;

/// <summary>
/// Whole-pipeline load harness: N RTSP cameras → the real pipeline, hosted in-process exactly as the
/// executable hosts it (<see cref="StreamAnalyticsApp.Prepare"/> + <see cref="StreamAnalyticsApp.BuildHost"/>
/// on a host with defaults disabled) → MQTT events received by a real subscriber. Prints what it measured
/// as one Markdown table row, plus the command line that reproduces it.
/// </summary>
public static class Program
{
    private const string TopicPrefix = "saload";

    public static async Task<int> Main(string[] args)
    {
        HarnessOptions options;
        try
        {
            options = HarnessOptions.Parse(args);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
        {
            await Console.Error.WriteLineAsync($"{ex.Message}{Environment.NewLine}{HarnessOptions.Usage}").ConfigureAwait(false);
            return 2;
        }

        if (options.Help)
        {
            Console.WriteLine(HarnessOptions.Usage);
            return 0;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };

        if (options.Soak)
        {
            try
            {
                return await SoakRun.RunAsync(options, args, cancel.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancel.IsCancellationRequested)
            {
                await Console.Error.WriteLineAsync("Cancelled.").ConfigureAwait(false);
                return 130;
            }
        }

        try
        {
            var report = await RunAsync(options, args, cancel.Token).ConfigureAwait(false);
            Console.WriteLine(report);
            if (options.Out is { } file)
            {
                // The file collects one row per run under a single header.
                var row = report[(report.LastIndexOf('\n') + 1)..];
                var text = File.Exists(file) ? row : Report.Header + Environment.NewLine + row;
                await File.AppendAllTextAsync(file, text + Environment.NewLine, CancellationToken.None).ConfigureAwait(false);
            }

            return 0;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("Cancelled.").ConfigureAwait(false);
            return 130;
        }
    }

    private static async Task<string> RunAsync(HarnessOptions options, string[] args, CancellationToken cancellationToken)
    {
        var clip = await TestClip.EnsureAsync(options, cancellationToken).ConfigureAwait(false);
        var sourceFps = await TestClip.FramesPerSecondAsync(clip, cancellationToken).ConfigureAwait(false);
        var cameraIds = Enumerable.Range(1, options.Cameras).Select(i => $"cam{i}").ToList();
        // Every stream lasts the whole run and the reference decode after it: with the server's 10 minutes, a long warm-up
        // saw all cameras reconnect at once about 605 s in.
        var server = await RtspTestServer.StartAsync(cameraIds.ToDictionary(id => id, _ => clip), cancellationToken, loopSeconds: Math.Max(600, options.Warmup + options.Seconds + 300)).ConfigureAwait(false);
        await using var stopServer = server.ConfigureAwait(false);
        Log($"RTSP server on port {server.Port} (pid {server.ProcessId}) serving {clip}");

        var mqttPort = FreeTcpPort.Next();
        var metricsPort = FreeTcpPort.Next();
        var configuration = BuildConfiguration(options, server, cameraIds, mqttPort, metricsPort, out var outboxDirectory);
        var window = configuration.GetSection("StreamAnalytics:Window");
        var schedule = $"{window["Length"]}/{window["Subsample"]}/{window["Hop"]}";

        using var loggerFactory = LoggerFactory.Create(b => ConfigureLogging(b, options));
        var plan = StreamAnalyticsApp.Prepare(configuration, loggerFactory);
        if (!plan.IsValid)
        {
            throw new InvalidOperationException(CommandLine.FormatProblems(plan.Problems));
        }

        // The executable's own host (Kestrel serves the metrics this harness scrapes).
        var built = StreamAnalyticsApp.BuildHost(plan, configuration, logging =>
        {
            logging.ClearProviders();
            ConfigureLogging(logging, options);
        });

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var metricsUrl = $"http://127.0.0.1:{metricsPort}/metrics";
        var self = Process.GetCurrentProcess();
        Snapshot a, b;
        List<(double CaptureToArrival, double CaptureToDetection)> delays;
        long unparsed;
        var rssPeak = new RssPeak(self.Id);
        using var allocations = options.AllocationTypes ? new AllocationSampler() : null;
        TimeSpan stopTime;
        using (var host = built)
        {
            var hostStarted = Stopwatch.StartNew();
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            var metrics = host.Services.GetRequiredService<PipelineMetrics>();
            Log($"Pipeline started: {options.Cameras} camera(s), model on {plan.Model!.ExecutionProvider} ({plan.Model.Precision}), window {schedule}; warming up {options.Warmup:0} s");
            var probe = await EventProbe.ConnectAsync(mqttPort, $"{TopicPrefix}/+/events", cancellationToken).ConfigureAwait(false);
            await using var disconnectProbe = probe.ConfigureAwait(false);

            await WarmUpAsync(options, hostStarted, metrics, http, metricsUrl, cancellationToken).ConfigureAwait(false);

            using var sampling = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var sampler = rssPeak.RunAsync(server.ProcessId, sampling.Token);
            a = await Snapshot.TakeAsync(self, server.ProcessId, http, metricsUrl, start: true, cancellationToken).ConfigureAwait(false);
            if (allocations is not null)
            {
                allocations.Recording = true;
            }

            Log($"Measuring {options.Seconds:0} s ...");
            var progressEvery = TimeSpan.FromSeconds(10);
            var measureClock = Stopwatch.StartNew();
            while (measureClock.Elapsed < TimeSpan.FromSeconds(options.Seconds))
            {
                var left = TimeSpan.FromSeconds(options.Seconds) - measureClock.Elapsed;
                // At least 1 ms: Task.Delay truncates to whole milliseconds, and a sub-millisecond remainder returned at
                // once and printed the last progress line dozens of times.
                var wait = left < progressEvery ? left : progressEvery;
                await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, cancellationToken).ConfigureAwait(false);
                // Progress from the registry in-process: an HTTP scrape here would count as pipeline allocation.
                Log(string.Create(CultureInfo.InvariantCulture, $"  t={measureClock.Elapsed.TotalSeconds:0} s: decoded {Sum(metrics.FramesDecoded) - a.Metrics.Sum(Names.FramesDecoded):0}, dropped {Sum(metrics.FramesDropped) - a.Metrics.Sum(Names.FramesDropped):0}, windows {Sum(metrics.WindowsBuilt) - a.Metrics.Sum(Names.WindowsBuilt):0} (dropped {Sum(metrics.WindowsDropped) - a.Metrics.Sum(Names.WindowsDropped):0})"));
            }

            b = await Snapshot.TakeAsync(self, server.ProcessId, http, metricsUrl, start: false, cancellationToken).ConfigureAwait(false);
            if (allocations is not null)
            {
                allocations.Recording = false;
                Log("Managed allocations by type while measuring (GCAllocationTick samples, ~1 per 100 KB):" + Environment.NewLine + allocations.Top(15));
            }

            await sampling.CancelAsync().ConfigureAwait(false);
            await sampler.ConfigureAwait(false);
            delays = probe.Between(a.Time, b.Time);
            unparsed = probe.Unparsed;

            var stopping = Stopwatch.StartNew();
            using var stopTimeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await host.StopAsync(stopTimeout.Token).ConfigureAwait(false);
            stopTime = stopping.Elapsed;
        }

        if (outboxDirectory is not null)
        {
            TryDelete(outboxDirectory);
        }

        DecodeReference.RtspResult? rtsp = null;
        DecodeReference.FileResult? file = null;
        var decodeSeconds = options.DecodeSeconds ?? options.Seconds;
        if (decodeSeconds > 0)
        {
            Log($"Reference decode of {server.UrlFor(cameraIds[0])} for {decodeSeconds:0} s (pipeline stopped) ...");
            rtsp = await DecodeReference.RtspAsync(server.UrlFor(cameraIds[0]), options.Width, options.Height, decodeSeconds, cancellationToken).ConfigureAwait(false);
            file = await DecodeReference.FileAsync(clip, options.Width, options.Height, 900, cancellationToken).ConfigureAwait(false);
        }

        return Report.Format(options, args, clip, sourceFps, schedule, $"{plan.Model.ExecutionProvider} ({plan.Model.Precision})", a, b, rssPeak, delays, unparsed, stopTime, rtsp, file);
    }

    /// <summary>
    /// Waits out the warm-up, scraping <c>/metrics</c> every 15 s as a Prometheus would. Runs before this scraped nothing,
    /// so the measured minute began with the process's first HTTP request (Kestrel's pipeline and the exposition code
    /// compiled then, on a saturated machine), and every 16-camera run shed windows in its first seconds only. Logs the
    /// windows dropped in the warm-up's last 30 s, to tell a pipeline already shedding from one upset by the start.
    /// </summary>
    private static async Task WarmUpAsync(HarnessOptions options, Stopwatch hostStarted, PipelineMetrics metrics, HttpClient http, string metricsUrl, CancellationToken cancellationToken)
    {
        var end = TimeSpan.FromSeconds(options.Warmup);
        var scrapeEvery = TimeSpan.FromSeconds(15);
        var tail = end - TimeSpan.FromSeconds(30);
        var next = TimeSpan.Zero;
        var scrapes = 0;
        double? droppedAtTail = null;
        while (hostStarted.Elapsed < end)
        {
            if (droppedAtTail is null && hostStarted.Elapsed >= tail)
            {
                droppedAtTail = Sum(metrics.WindowsDropped);
            }

            if (hostStarted.Elapsed >= next)
            {
                await PrometheusText.ScrapeAsync(http, metricsUrl, cancellationToken).ConfigureAwait(false);
                scrapes++;
                next = hostStarted.Elapsed + scrapeEvery;
            }

            var until = new[] { next, end, droppedAtTail is null && tail > hostStarted.Elapsed ? tail : end }.Min() - hostStarted.Elapsed;
            if (until > TimeSpan.Zero)
            {
                await Task.Delay(until < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : until, cancellationToken).ConfigureAwait(false);
            }
        }

        Log(string.Create(CultureInfo.InvariantCulture, $"Warm-up over: {scrapes} scrapes of /metrics, every {scrapeEvery.TotalSeconds:0} s; windows dropped in its last 30 s: {(droppedAtTail is { } d ? Sum(metrics.WindowsDropped) - d : 0):0}, in all: {Sum(metrics.WindowsDropped):0}"));
    }

    private static double Sum(Prometheus.Counter counter)
    {
        using var overhead = HarnessOverhead.Measure();
        return counter.GetAllLabelValues().Sum(labels => counter.WithLabels(labels).Value);
    }

    private static IConfiguration BuildConfiguration(HarnessOptions options, RtspTestServer server, List<string> cameraIds, int mqttPort, int metricsPort, out string? outboxDirectory)
    {
        // The product's appsettings.json (copied next to this binary) supplies every default; its demo camera is left out.
        var appsettings = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: false, reloadOnChange: false)
            .Build();
        var settings = appsettings.AsEnumerable()
            .Where(kv => kv.Value is not null && !kv.Key.StartsWith("StreamAnalytics:Cameras", StringComparison.OrdinalIgnoreCase))
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.OrdinalIgnoreCase);

        string I(double v) => v.ToString(CultureInfo.InvariantCulture);
        for (var i = 0; i < cameraIds.Count; i++)
        {
            var prefix = $"StreamAnalytics:Cameras:{i}:";
            settings[prefix + "Id"] = cameraIds[i];
            settings[prefix + "Url"] = server.UrlFor(cameraIds[i]);
            if (options.Width is { } w)
            {
                settings[prefix + "Width"] = I(w);
            }

            if (options.Height is { } h)
            {
                settings[prefix + "Height"] = I(h);
            }
        }

        if (options.Length is { } length)
        {
            settings["StreamAnalytics:Window:Length"] = I(length);
        }

        if (options.Subsample is { } subsample)
        {
            settings["StreamAnalytics:Window:Subsample"] = I(subsample);
        }

        if (options.Hop is { } hop)
        {
            settings["StreamAnalytics:Window:Hop"] = I(hop);
        }

        // Absolute, so a manifest in the working folder (the repository has models/resnet18/model.json without its ONNX file) is not picked instead.
        settings["StreamAnalytics:Model:Manifest"] = Path.Combine(AppContext.BaseDirectory, "models", "resnet18", "model.json");
        settings["StreamAnalytics:Detection:Anomaly:Enabled"] = "true";
        settings["StreamAnalytics:Detection:Anomaly:Threshold"] = I(options.Threshold);
        settings["StreamAnalytics:Detection:Anomaly:CooldownSeconds"] = "0";
        settings["StreamAnalytics:Detection:Anomaly:CalibrationWindows"] = I(options.Calibration);
        settings["StreamAnalytics:Mqtt:EmbeddedBroker"] = "true";
        settings["StreamAnalytics:Mqtt:Host"] = "127.0.0.1";
        settings["StreamAnalytics:Mqtt:Port"] = I(mqttPort);
        settings["StreamAnalytics:Mqtt:ClientId"] = "sa-load-" + Guid.NewGuid().ToString("N")[..8];
        settings["StreamAnalytics:Mqtt:TopicPrefix"] = TopicPrefix;
        settings["StreamAnalytics:Metrics:Enabled"] = "true";
        settings["StreamAnalytics:Http:Host"] = "127.0.0.1";
        settings["StreamAnalytics:Http:Port"] = I(metricsPort);
        settings["StreamAnalytics:Pipeline:ProgressLogSeconds"] = "0";
        settings["StreamAnalytics:Pipeline:DrainTimeoutSeconds"] = "5";

        // A durable outbox, where this build has one, goes to a throw-away folder instead of ./state/outbox.
        outboxDirectory = null;
        if (typeof(StreamAnalytics.Configuration.MqttOptions).GetProperty("Outbox") is not null)
        {
            outboxDirectory = Directory.CreateTempSubdirectory("sa-load-outbox-").FullName;
            settings["StreamAnalytics:Mqtt:Outbox:Directory"] = outboxDirectory;
        }

        foreach (var (key, value) in options.Overrides)
        {
            settings[key] = value;
        }

        return new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
    }

    internal static void ConfigureLogging(ILoggingBuilder logging, HarnessOptions options)
    {
        logging.SetMinimumLevel(Enum.Parse<LogLevel>(options.LogLevel, ignoreCase: true));
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });
        // Keep stdout for the report: every log line goes to stderr.
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }

    private static void TryDelete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    internal static void Log(string message) =>
        Console.Error.WriteLine($"{DateTime.Now:HH:mm:ss.fff} [harness] {message}");
}
