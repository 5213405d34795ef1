using Microsoft.Extensions.Logging;

namespace StreamAnalytics.Tests.Fakes;

/// <summary>An <see cref="ILogger"/> that keeps every entry, so a test can assert on what was logged.</summary>
public sealed class CapturingLogger : ILogger
{
    private readonly Lock _gate = new();
    private readonly List<LogEntry> _entries = [];

    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        lock (_gate)
        {
            _entries.Add(new LogEntry(logLevel, formatter(state, exception), exception));
        }
    }
}

public sealed record LogEntry(LogLevel Level, string Message, Exception? Exception);
