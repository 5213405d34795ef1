using Microsoft.Extensions.Logging;

namespace StreamAnalytics.Tests.Fakes;

/// <summary>Hands out one <see cref="CapturingLogger"/> for every category, so a test sees everything a component logs.</summary>
public sealed class CapturingLoggerFactory(CapturingLogger logger) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => logger;

    public void AddProvider(ILoggerProvider provider) => throw new NotSupportedException("Everything goes to the one capturing logger.");

    public void Dispose()
    {
        // Nothing held.
    }
}
