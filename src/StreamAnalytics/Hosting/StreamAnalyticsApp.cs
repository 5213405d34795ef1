using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Prometheus;
using StreamAnalytics.Configuration;
using StreamAnalytics.Heads;
using StreamAnalytics.Http;
using StreamAnalytics.Inference;
using StreamAnalytics.Observability;
using StreamAnalytics.Publishing;

namespace StreamAnalytics.Hosting;

/// <summary>Start-up checks and host construction, shared by the executable and the integration tests.</summary>
internal static class StreamAnalyticsApp
{
    /// <summary>Binds and validates the options, then loads the model and checks it against its manifest. Reports every problem.</summary>
    /// <param name="heads">The detectors to check and load; <see cref="HeadModules.CreateDefault"/> when null. The plan owns them.</param>
    public static StartupPlan Prepare(IConfiguration configuration, ILoggerFactory loggerFactory, IReadOnlyList<IHeadModule>? heads = null)
    {
        heads ??= HeadModules.CreateDefault();
        var options = new StreamAnalyticsOptions();
        var apiCameras = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        var section = configuration.GetSection(StreamAnalyticsOptions.SectionName);
        var problems = NameCameras(ConfigurationSchemaChecker.Check(section, typeof(StreamAnalyticsOptions), out var unconvertible), section);
        try
        {
            ConfigurationSchemaChecker.Bindable(section, unconvertible).Bind(options);
            var configured = options.Cameras.Count;
            apiCameras = LoadApiCameras(options, problems);
            problems.AddRange(StreamAnalyticsOptionsValidator.Collect(options).Select(p => NameStoredCamera(p, configured, options)));
        }
        catch (InvalidOperationException ex)
        {
            problems.Add($"Configuration cannot be read: {ex.Message}");
            return new StartupPlan(options, null, problems);
        }

        var manifestPath = ConfiguredPath.Resolve(options.Model.Manifest);
        ModelManifest? manifest = null;
        try
        {
            manifest = ModelManifestLoader.Load(manifestPath).WithPrecision(options.Model.Precision);
        }
        catch (ModelManifestException ex)
        {
            problems.AddRange(ex.Problems.Select(p => $"Model manifest '{ex.ManifestPath}': {p}"));
        }

        if (manifest is { Input.Features: { } features })
        {
            // A head takes features, not frames: the pipeline's model is the backbone that computes them.
            problems.Add($"Model.Manifest '{manifest.ManifestPath}' is an action head over '{features.Recipe}' features of backbone '{features.Backbone}'; Model.Manifest must name that backbone's manifest (for the shipped fight head: models/resnet18/model-featuremap.json).");
        }

        if (manifest is not null)
        {
            foreach (var camera in options.Cameras)
            {
                CheckCameraAgainstModel(camera, options, manifest, problems);
            }
        }

        var context = new HeadContext(options, manifest is { Input.Layout: not TensorLayout.Features } ? manifest : null, loggerFactory);
        foreach (var head in heads)
        {
            head.Check(context, problems);
        }

        var token = options.Http.Enabled ? ApiToken.Resolve(options.Http, problems) : null;
        var ordinal = options.Sharding.Count >= 1 ? CameraShard.OrdinalOf(options.Sharding, Environment.MachineName, problems) ?? 0 : 0;
        if (problems.Count > 0 || manifest is null)
        {
            DisposeAll(heads);
            return new StartupPlan(options, null, problems);
        }

        OnnxModel model;
        var modelLogger = loggerFactory.CreateLogger("StreamAnalytics.Inference.OnnxModel");
        try
        {
            model = OnnxModel.Load(manifest, options.Model.ExecutionProvider, options.Model.DeviceId, options.Model.IntraOpThreads, options.Model.MaxBatch, modelLogger, Path.GetFullPath(options.Model.TensorRtCacheDirectory));
        }
        catch (ModelManifestException ex)
        {
            DisposeAll(heads);
            return new StartupPlan(options, null, [.. ex.Problems.Select(p => $"Model manifest '{ex.ManifestPath}': {p}")]);
        }

        foreach (var head in heads)
        {
            head.Load(context, model, problems);
        }

        if (problems.Count > 0)
        {
            DisposeAll(heads);
            model.Dispose();
            return new StartupPlan(options, null, problems);
        }

        // Loading (and rewriting the batch dimension of) a large ONNX file leaves hundreds of MB of garbage
        // that a quiet pipeline may not collect for a long time: return it to the OS once, at start.
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return new StartupPlan(options, model, []) { Heads = heads, ApiCameras = apiCameras, ApiToken = token, ShardOrdinal = ordinal };
    }

    /// <summary>What the model asks of every camera (a clip model takes a fixed number of frames).</summary>
    public static void CheckCameraAgainstModel(CameraOptions camera, StreamAnalyticsOptions options, ModelManifest manifest, ICollection<string> problems)
    {
        var length = (camera.Window ?? options.Window).Length;
        if (manifest.Input.Layout == TensorLayout.Ncthw && length != manifest.Input.Frames)
        {
            problems.Add($"Camera '{camera.Id}': Window.Length is {length} but clip model '{manifest.Name}' takes {manifest.Input.Frames} frames.");
        }
    }

    /// <summary>Adds the cameras saved by the API to the options, where the validator checks them with the configured ones.</summary>
    private static Dictionary<string, JsonElement> LoadApiCameras(StreamAnalyticsOptions options, List<string> problems)
    {
        var stored = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(options.Pipeline.StateDirectory))
        {
            return stored;
        }

        var store = new CameraStore(options.Pipeline.StateDirectory);
        List<JsonElement> entries;
        try
        {
            entries = store.Load();
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            problems.Add($"Cameras added through the API cannot be read: {ex.Message} Fix or remove the file.");
            return stored;
        }

        for (var i = 0; i < entries.Count; i++)
        {
            var before = problems.Count;
            if (CameraJson.Read(entries[i], $"'{store.FilePath}' cameras[{i}]", problems) is not { } camera || problems.Count > before)
            {
                continue;
            }

            if (options.Cameras.Any(c => c.Id == camera.Id))
            {
                problems.Add($"'{store.FilePath}' cameras[{i}] (camera '{camera.Id}'): a camera added through the API has the id of a camera in the configuration; remove one of them.");
                continue;
            }

            options.Cameras.Add(camera);
            stored[camera.Id] = entries[i];
        }

        return stored;
    }

    /// <summary>A problem of a camera that came from the state's cameras.json names that file, not a Cameras index the operator cannot find.</summary>
    private static string NameStoredCamera(string problem, int configured, StreamAnalyticsOptions options)
    {
        for (var i = configured; i < options.Cameras.Count; i++)
        {
            var prefix = $"Cameras[{i}]";
            if (problem.StartsWith(prefix, StringComparison.Ordinal))
            {
                return $"'{Path.Combine(Path.GetFullPath(options.Pipeline.StateDirectory), CameraStore.FileName)}' cameras[{i - configured}]{problem[prefix.Length..]}";
            }
        }

        return problem;
    }

    private static void DisposeAll(IEnumerable<IHeadModule> heads)
    {
        foreach (var head in heads)
        {
            head.Dispose();
        }
    }

    private static List<string> NameCameras(List<string> problems, IConfigurationSection section)
    {
        var cameras = section.GetSection("Cameras").GetChildren().ToList();
        return [.. problems.Select(p =>
        {
            foreach (var camera in cameras)
            {
                var prefix = $"Cameras[{camera.Key}]";
                if (p.StartsWith(prefix + ".", StringComparison.Ordinal) && camera["Id"] is { Length: > 0 } id)
                {
                    return $"{prefix} (camera '{id}'){p[prefix.Length..]}";
                }
            }

            return p;
        })];
    }

    /// <summary>
    /// The host the executable runs (and the integration tests): the pipeline, and with <c>Http.Enabled</c> Kestrel on
    /// one port with metrics, probes, the API and the status page.
    /// </summary>
    /// <param name="logging">Sets up logging on the builder's (empty) logging.</param>
    /// <param name="services">Adds services before the pipeline's (systemd notification, say).</param>
    public static IHost BuildHost(StartupPlan plan, IConfiguration configuration, Action<ILoggingBuilder> logging, Action<IServiceCollection>? services = null, CollectorRegistry? registry = null)
    {
        var options = plan.Options;
        registry ??= Metrics.NewCustomRegistry();
        if (!options.Http.Enabled)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = AppContext.BaseDirectory });
            builder.Configuration.AddConfiguration(configuration);
            logging(builder.Logging);
            services?.Invoke(builder.Services);
            builder.Services.AddStreamAnalytics(plan, registry);
            return builder.Build();
        }

        var web = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory, ApplicationName = "streamanalytics" });
        web.Configuration.AddConfiguration(configuration);
        logging(web.Logging);

        // ASP.NET Core logs each request's URL at Information: a browser's one-time /?token=… must never reach a log.
        web.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        web.WebHost.UseKestrelCore().ConfigureKestrel(k => HttpSurface.Listen(k, options.Http));
        services?.Invoke(web.Services);
        web.Services.AddStreamAnalytics(plan, registry);
        web.Services.AddHttpSurface();
        web.Services.AddSingleton<CameraAdmin>();
        web.Services.AddSingleton<ICameraControl>(sp => sp.GetRequiredService<CameraAdmin>());
        web.Services.AddSingleton<IReadiness, PipelineReadiness>();
        web.Services.AddSingleton(sp => sp.GetRequiredService<PipelineService>().Incidents);
        var app = web.Build();

        // Created now, not at the first /readyz: it keeps streamanalytics_hosting_ready current for every scrape.
        app.Services.GetRequiredService<IReadiness>();
        app.MapHttpSurface(options, registry, plan.ApiToken);
        return app;
    }

    /// <summary>Registers the pipeline on a host builder whose configuration and logging are already set.</summary>
    public static void AddStreamAnalytics(this IServiceCollection services, StartupPlan plan, CollectorRegistry? registry = null)
    {
        if (!plan.IsValid)
        {
            throw new InvalidOperationException("Start-up checks failed: " + string.Join("; ", plan.Problems));
        }

        var options = plan.Options;
        services.Configure<HostOptions>(h => h.ShutdownTimeout = TimeSpan.FromSeconds(options.Pipeline.DrainTimeoutSeconds + 10));
        services.AddSingleton(options);
        services.AddSingleton(plan);
        services.AddSingleton(plan.Model!);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(new PipelineMetrics(registry ?? Metrics.NewCustomRegistry()));
        services.AddSingleton(options.Metrics);
        services.AddSingleton(options.Http);
        services.AddSingleton(options.Mqtt);
        if (options.Mqtt.EmbeddedBroker)
        {
            // Registered first: started before the publisher connects, stopped after it has gone offline.
            services.AddSingleton<EmbeddedBroker>();
            services.AddHostedService(sp => sp.GetRequiredService<EmbeddedBroker>());
        }

        services.AddSingleton(options.Mqtt.Outbox);
        services.AddSingleton<DurableOutbox>();
        var shard = options.Sharding.Count > 1 ? $"shard-{plan.ShardOrdinal}" : null;
        services.AddSingleton(sp => new MqttConnection(options.Mqtt, sp.GetRequiredService<PipelineMetrics>(), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<MqttConnection>>(), shard));
        services.AddSingleton<EventPublisher>();
        services.AddSingleton<CameraStatusPublisher>();
        services.AddSingleton<PipelineService>();
        services.AddHostedService(sp => sp.GetRequiredService<PipelineService>());
    }
}
