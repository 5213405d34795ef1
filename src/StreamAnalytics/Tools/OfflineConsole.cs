using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace StreamAnalytics.Tools;

/// <summary>What every offline verb (learn, score, eval, features) shares: its log category, console logging and the invalid-input exit.</summary>
internal static class OfflineConsole
{
    public const string LogCategory = "StreamAnalytics.Offline";

    public static async Task<int> InvalidAsync(TextWriter error, string message)
    {
        await error.WriteLineAsync(message).ConfigureAwait(false);
        return ExitCodes.InvalidInput;
    }

    /// <summary>Progress goes to stderr so that stdout carries only results.</summary>
    public static async Task<int> WithConsoleLoggingAsync(Func<ILoggerFactory, Task<int>> command)
    {
        using var loggers = LoggerFactory.Create(builder =>
        {
            builder.SetMinimumLevel(LogLevel.Warning);
            builder.AddFilter(LogCategory, LogLevel.Information);
            builder.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            builder.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss.fff ";
                o.ColorBehavior = LoggerColorBehavior.Disabled;
            });
        });
        return await command(loggers).ConfigureAwait(false);
    }
}
