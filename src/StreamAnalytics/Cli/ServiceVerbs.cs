using System.CommandLine;
using StreamAnalytics.Hosting;

namespace StreamAnalytics.Cli;

/// <summary>
/// <c>run</c> and <c>check</c>. Besides <c>--config</c> they take configuration overrides
/// (<c>--StreamAnalytics:Section:Key=value</c>, or the value as the next argument), which no parser can
/// list in advance: unmatched arguments are not errors here but go, in order, to the configuration builder.
/// </summary>
internal static class ServiceVerbs
{
    public static Command Run(VerbConsole console) => Build(
        "run",
        "Run the pipeline until SIGTERM or Ctrl-C, or until every camera is a non-looping file that has ended (the default verb).",
        checkOnly: false,
        console);

    public static Command Check(VerbConsole console) => Build(
        "check",
        "Validate the configuration and load the model, then exit.",
        checkOnly: true,
        console);

    private static Command Build(string name, string description, bool checkOnly, VerbConsole console)
    {
        var config = VerbOptions.Optional("--config", "FILE", "Read this file instead of the appsettings.json next to the executable (not layered).");
        var command = new Command(name, description + " Configuration overrides follow as --StreamAnalytics:Section:Key=value.")
        {
            config,
        };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction((result, cancellationToken) =>
        {
            List<string> configurationArguments = result.GetValue(config) is { } file ? ["--config", file] : [];
            configurationArguments.AddRange(result.UnmatchedTokens);
            return ServiceCommands.RunAsync(configurationArguments, checkOnly, console.Output, console.Error, cancellationToken);
        });
        return command;
    }
}
