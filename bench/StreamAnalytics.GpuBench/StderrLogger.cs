using Microsoft.Extensions.Logging;

namespace StreamAnalytics.GpuBench;

/// <summary>Writes the product's log lines to stderr and keeps the warnings for the report (a CUDA fallback says why).</summary>
internal sealed class StderrLogger : ILogger
{
    private readonly List<string> _warnings = [];
    private readonly List<string> _messages = [];

    public IReadOnlyList<string> Warnings => _warnings;

    public IReadOnlyList<string> Messages => _messages;

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!IsEnabled(logLevel))
        {
            return;
        }

        var message = formatter(state, exception);
        Console.Error.WriteLine($"[{logLevel}] {message}");
        _messages.Add(message);
        if (logLevel >= LogLevel.Warning)
        {
            _warnings.Add(message);
        }
    }
}
