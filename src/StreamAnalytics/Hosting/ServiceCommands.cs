using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using StreamAnalytics.Inference.Remote;

namespace StreamAnalytics.Hosting;

/// <summary>
/// The service's verbs: <c>run</c> (start-up checks, then the pipeline until SIGTERM, Ctrl-C or the end of
/// every non-looping file) and <c>check</c> (start-up checks only). Each returns an exit code
/// (<see cref="ExitCodes"/>: 0 stopped cleanly or valid, 1 failed while running, 2 invalid configuration or model).
/// </summary>
internal static class ServiceCommands
{
    /// <param name="configurationArguments">The command line after the verb: <c>--config FILE</c> and configuration overrides.</param>
    public static async Task<int> RunAsync(IReadOnlyList<string> configurationArguments, bool checkOnly, TextWriter output, TextWriter error, CancellationToken cancellationToken = default)
    {
        IConfiguration configuration;
        try
        {
            configuration = CommandLine.BuildConfiguration([.. configurationArguments]);
        }
        catch (Exception ex) when (ex is FileNotFoundException or InvalidDataException or FormatException or ArgumentException)
        {
            await error.WriteLineAsync($"Configuration cannot be read: {ex.Message}").ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        using var startupLogging = LoggerFactory.Create(b => ConfigureLogging(b, configuration));
        var plan = StreamAnalyticsApp.Prepare(configuration, startupLogging);
        if (!plan.IsValid)
        {
            await error.WriteLineAsync(CommandLine.FormatProblems(plan.Problems)).ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        var remote = plan.Options.Model.Remote;
        if (remote.Enabled)
        {
            var mismatch = await RemoteStartupCheck.CheckAsync(remote, plan.Model!, startupLogging.CreateLogger("StreamAnalytics.Inference.Remote.RemoteModel"), TimeProvider.System, cancellationToken).ConfigureAwait(false);
            if (mismatch.Count > 0)
            {
                plan.Release();
                await error.WriteLineAsync(CommandLine.FormatProblems(mismatch)).ConfigureAwait(false);
                return ExitCodes.InvalidInput;
            }
        }

        if (checkOnly)
        {
            var heads = string.Concat(plan.Heads.Select(h => h.Describe()).OfType<string>().Select(d => ", " + d));
            var model = plan.Model!.Manifest;
            var provider = remote.Enabled
                ? $"{Configuration.CredentialRedactor.Redact(remote.Endpoint)} (model '{remote.ModelName}'; local {plan.Model.ExecutionProvider})"
                : plan.Model.ExecutionProvider;
            plan.Release();
            await output.WriteLineAsync($"Configuration is valid: {plan.Options.Cameras.Count} cameras, model '{model.Name}' {model.Version} on {provider}{heads}.").ConfigureAwait(false);
            return ExitCodes.Ok;
        }

        var host = StreamAnalyticsApp.BuildHost(plan, configuration, logging =>
        {
            logging.ClearProviders();
            ConfigureLogging(logging, configuration);
        }, services => services.AddSystemd());
        try
        {
            using (host)
            {
                await host.RunAsync(cancellationToken).ConfigureAwait(false);
            }

            return ExitCodes.Ok;
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.Net.Sockets.SocketException or IOException)
        {
            var hint = ex is IOException && ex.Message.Contains("bind", StringComparison.OrdinalIgnoreCase)
                ? $" Set Http.Port to a free port (it is {plan.Options.Http.Port}) or Http.Enabled to false."
                : string.Empty;
            await error.WriteLineAsync($"StreamAnalytics stopped: {Configuration.CredentialRedactor.Redact(ex.Message)}{hint}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
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
