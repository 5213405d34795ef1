using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using StreamAnalytics.Tools.Actions;
using StreamAnalytics.Tools.Anomaly;

namespace StreamAnalytics.Hosting;

/// <summary>The <c>streamanalytics</c> executable's verbs. Exit codes: 0 done, 1 failed while running, 2 invalid configuration or model.</summary>
public static class CommandLine
{
    public const int ExitOk = 0;
    public const int ExitFailed = 1;
    public const int ExitInvalidConfiguration = 2;

    public const string Usage = """
        Usage: streamanalytics [run] [--config FILE] [--StreamAnalytics:Section:Key=value ...]
               streamanalytics check [--config FILE]      validate configuration and model, then exit
               streamanalytics learn --out STATE --input FILE_OR_DIR... [--camera ID]
               streamanalytics score anomaly --state STATE --input VIDEO --out CSV
               streamanalytics eval anomaly --state STATE --labels labels.json [--report OUT.json]
               streamanalytics features action --manifest CLIPS.csv --out FEATURES.csv [--frames T] [--backbone MANIFEST]
               streamanalytics score action --model MANIFEST --input VIDEO --out CSV [--backbone MANIFEST]
               streamanalytics eval action --model MANIFEST (--manifest CLIPS.csv | --features FEATURES.csv) [--report OUT.json]

        Configuration comes from appsettings.json next to the executable (or FILE with --config),
        then environment variables (StreamAnalytics__Mqtt__Password=...), then the command line.
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        var verb = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "run";
        var rest = args.Length > 0 && !args[0].StartsWith('-') ? args[1..] : args;
        switch (verb)
        {
            case "run":
                return await RunPipelineAsync(rest, checkOnly: false).ConfigureAwait(false);
            case "check":
                return await RunPipelineAsync(rest, checkOnly: true).ConfigureAwait(false);
            case "learn":
                return await RunOfflineAsync(ct => AnomalyCommands.LearnAsync(rest, ct)).ConfigureAwait(false);
            case "score" when rest is ["anomaly", ..]:
                return await RunOfflineAsync(ct => AnomalyCommands.ScoreAnomalyAsync(rest[1..], ct)).ConfigureAwait(false);
            case "eval" when rest is ["anomaly", ..]:
                return await RunOfflineAsync(ct => AnomalyCommands.EvalAnomalyAsync(rest[1..], ct)).ConfigureAwait(false);
            case "features" when rest is ["action", ..]:
                return await RunOfflineAsync(ct => ActionCommands.FeaturesActionAsync(rest[1..], ct)).ConfigureAwait(false);
            case "score" when rest is ["action", ..]:
                return await RunOfflineAsync(ct => ActionCommands.ScoreActionAsync(rest[1..], ct)).ConfigureAwait(false);
            case "eval" when rest is ["action", ..]:
                return await RunOfflineAsync(ct => ActionCommands.EvalActionAsync(rest[1..], ct)).ConfigureAwait(false);
            case "help" or "--help" or "-h":
                Console.WriteLine(Usage);
                return ExitOk;
            default:
                await Console.Error.WriteLineAsync($"Unknown command '{verb}'.{Environment.NewLine}{Usage}").ConfigureAwait(false);
                return ExitInvalidConfiguration;
        }
    }

    private static async Task<int> RunPipelineAsync(string[] args, bool checkOnly)
    {
        if (args.Contains("--help") || args.Contains("-h"))
        {
            Console.WriteLine(Usage);
            return ExitOk;
        }

        IConfiguration configuration;
        try
        {
            configuration = BuildConfiguration(args);
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException or FormatException or ArgumentException)
        {
            await Console.Error.WriteLineAsync($"Configuration cannot be read: {ex.Message}").ConfigureAwait(false);
            return ExitInvalidConfiguration;
        }

        using var startupLogging = LoggerFactory.Create(b => ConfigureLogging(b, configuration));
        var plan = StreamAnalyticsApp.Prepare(configuration, startupLogging);
        if (!plan.IsValid)
        {
            await Console.Error.WriteLineAsync(FormatProblems(plan.Problems)).ConfigureAwait(false);
            return ExitInvalidConfiguration;
        }

        if (checkOnly)
        {
            plan.Model!.Dispose();
            plan.ActionHead?.Dispose();
            var head = plan.ActionHead is { Manifest: var h } ? $", action head '{h.Name}' {h.Version}" : string.Empty;
            Console.WriteLine($"Configuration is valid: {plan.Options.Cameras.Count} cameras, model '{plan.Model.Manifest.Name}' {plan.Model.Manifest.Version} on {plan.Model.ExecutionProvider}{head}.");
            return ExitOk;
        }

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddConfiguration(configuration);
        builder.Logging.ClearProviders();
        ConfigureLogging(builder.Logging, configuration);
        builder.Services.AddSystemd();
        builder.Services.AddStreamAnalytics(plan);
        try
        {
            using var host = builder.Build();
            await host.RunAsync().ConfigureAwait(false);
            return ExitOk;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Net.Sockets.SocketException or IOException)
        {
            await Console.Error.WriteLineAsync($"StreamAnalytics stopped: {Observability.CredentialRedactor.Redact(ex.Message)}").ConfigureAwait(false);
            return ExitFailed;
        }
    }

    /// <summary>Ctrl-C stops an offline command without leaving a partial output (exit 1).</summary>
    private static async Task<int> RunOfflineAsync(Func<CancellationToken, Task<int>> command)
    {
        using var cancel = new CancellationTokenSource();
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return await command(cancel.Token).ConfigureAwait(false);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    public static string FormatProblems(IReadOnlyList<string> problems) =>
        $"Configuration is invalid ({problems.Count} problem{(problems.Count == 1 ? string.Empty : "s")}):{Environment.NewLine}"
        + string.Join(Environment.NewLine, problems.Select(p => "  - " + p));

    /// <summary>appsettings.json next to the executable, or the --config file instead of it; then environment; then the command line.</summary>
    public static IConfiguration BuildConfiguration(string[] args)
    {
        var rest = new List<string>();
        string? configFile = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--config")
            {
                if (i + 1 >= args.Length)
                {
                    throw new ArgumentException("--config needs a file name.");
                }

                configFile = args[++i];
            }
            else if (args[i].StartsWith("--config=", StringComparison.Ordinal))
            {
                configFile = args[i]["--config=".Length..];
            }
            else
            {
                rest.Add(args[i]);
            }
        }

        var builder = new ConfigurationBuilder();
        if (configFile is not null)
        {
            var full = Path.GetFullPath(configFile);
            if (!File.Exists(full))
            {
                throw new FileNotFoundException($"--config file '{full}' does not exist.");
            }

            builder.AddJsonFile(full, optional: false, reloadOnChange: false);
        }
        else
        {
            builder.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        }

        return builder.AddEnvironmentVariables().AddCommandLine([.. rest]).Build();
    }

    private static void ConfigureLogging(ILoggingBuilder logging, IConfiguration configuration)
    {
        logging.AddConfiguration(configuration.GetSection("Logging"));
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        });
    }
}
