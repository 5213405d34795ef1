using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;

namespace StreamAnalytics.Cli;

/// <summary>
/// The <c>streamanalytics</c> executable's front: the verb tree, <c>run</c> as the default verb, and the exit
/// code of a usage error. Parsing, help and error messages come from System.CommandLine; what each verb
/// does lives in Hosting (the service) and Tools (the offline tools), which know nothing of this front.
/// </summary>
internal static class StreamAnalyticsCli
{
    public const string ExecutableName = "streamanalytics";

    private const string Description = """
        Streaming video analytics: camera ingest, windowing, ONNX Runtime inference, detection, MQTT events; and the offline tools of its detector heads.
        Configuration comes from appsettings.json next to the executable (or FILE with --config), then environment variables (StreamAnalytics__Mqtt__Password=...), then the command line.
        Exit codes: 0 done, 1 failed while running, 2 invalid configuration, model, input or usage.
        """;

    /// <summary>
    /// Response files are off: an argument starting with '@' is a value (an override, a path), never a file
    /// to expand in its place.
    /// </summary>
    private static readonly ParserConfiguration Parsing = new() { ResponseFileTokenReplacer = null };

    public static Task<int> RunAsync(string[] args) => InvokeAsync(args, VerbConsole.Standard, CancellationToken.None);

    public static async Task<int> InvokeAsync(IReadOnlyList<string> args, VerbConsole console, CancellationToken cancellationToken = default)
    {
        var parsed = BuildRoot(console).Parse(WithDefaultVerb(args), Parsing);
        if (parsed.Action is ParseErrorAction)
        {
            // System.CommandLine would exit 1, which here means "failed while running": a usage error is 2, and
            // its message and the verb's help go to stderr so that stdout carries only results.
            foreach (var error in parsed.Errors)
            {
                await console.Error.WriteLineAsync(error.Message).ConfigureAwait(false);
            }

            await console.Error.WriteLineAsync().ConfigureAwait(false);
            await WriteHelpAsync(parsed.CommandResult.Command, console).ConfigureAwait(false);
            return ExitCodes.InvalidInput;
        }

        var invocation = new InvocationConfiguration
        {
            Output = console.Output,
            Error = console.Error,

            // The service stops on SIGTERM and Ctrl-C through its host, the offline tools through their own
            // token (VerbConsole); a second handler here would race them.
            ProcessTerminationTimeout = null,
        };
        return await parsed.InvokeAsync(invocation, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The help of <paramref name="command"/>, to stderr: what <c>--help</c> after it would print.</summary>
    private static async Task WriteHelpAsync(Command command, VerbConsole console)
    {
        var path = new List<string>();
        for (Symbol? symbol = command; symbol is Command { Parents: var parents } current && current.Name != ExecutableName; symbol = parents.FirstOrDefault())
        {
            path.Insert(0, current.Name);
        }

        path.Add("--help");
        var help = BuildRoot(console).Parse(path, Parsing);
        await help.InvokeAsync(new InvocationConfiguration { Output = console.Error, ProcessTerminationTimeout = null }).ConfigureAwait(false);
    }

    internal static Command BuildRoot(VerbConsole console) => new(ExecutableName, Description)
    {
        new HelpOption { Recursive = true },
        ServiceVerbs.Run(console),
        ServiceVerbs.Check(console),
        AnomalyVerbs.Learn(console),
        new Command("score", "Score a video offline.")
        {
            AnomalyVerbs.Score(console),
            ActionVerbs.Score(console),
        },
        new Command("eval", "Evaluate a head offline on labelled videos.")
        {
            AnomalyVerbs.Eval(console),
            ActionVerbs.Eval(console),
        },
        new Command("replay", "Play normal footage as a live camera, offline.")
        {
            AnomalyVerbs.Replay(console),
        },
        new Command("features", "Compute a head's training features offline.")
        {
            ActionVerbs.Features(console),
        },
    };

    /// <summary><c>run</c> is the verb when there is none: no arguments, or an option first (<c>--config</c>, an override).</summary>
    private static string[] WithDefaultVerb(IReadOnlyList<string> args) => args switch
    {
        [] => ["run"],
        ["help", ..] => ["--help"],
        ["--help" or "-h" or "-?", ..] => [.. args],
        [var first, ..] when first.StartsWith('-') => ["run", .. args],
        _ => [.. args],
    };
}
