using Microsoft.Extensions.Logging;
using StreamAnalytics.Tools;

namespace StreamAnalytics.Cli;

/// <summary>
/// Where the verbs write: results to <see cref="Output"/>, problems to <see cref="Error"/>. Tests pass their
/// own writers and loggers; the executable passes the console and null, and then the offline tools log
/// their progress to stderr.
/// </summary>
internal sealed record VerbConsole(TextWriter Output, TextWriter Error, ILoggerFactory? Loggers)
{
    public static VerbConsole Standard { get; } = new(Console.Out, Console.Error, null);

    /// <summary>Runs an offline tool. Ctrl-C stops it without leaving a partial output (exit 1) instead of killing the process.</summary>
    public async Task<int> RunToolAsync(Func<TextWriter, TextWriter, ILoggerFactory, CancellationToken, Task<int>> tool, CancellationToken cancellationToken)
    {
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            return Loggers is { } loggers
                ? await tool(Output, Error, loggers, cancel.Token).ConfigureAwait(false)
                : await OfflineConsole.WithConsoleLoggingAsync(l => tool(Output, Error, l, cancel.Token)).ConfigureAwait(false);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }
}
