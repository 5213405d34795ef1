using System.Globalization;

namespace StreamAnalytics.Testing;

/// <summary>
/// For conditions that raise no event of their own (a metric value, a log line): re-reads them every
/// 200 ms until they hold, and fails with the last value seen when the timeout passes. It never waits
/// longer than needed, unlike a fixed sleep.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    public static async Task<T> MatchAsync<T>(Func<CancellationToken, Task<T>> read, Func<T, bool> condition, TimeSpan timeout, string what, CancellationToken cancellationToken, Func<T, string>? describe = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        using var timer = new PeriodicTimer(Interval);
        // Polls the caller's delegates on the caller's (test's) context: no ConfigureAwait(false) here.
#pragma warning disable CA2007
        var value = await read(cancellationToken);
        while (!condition(value))
        {
            try
            {
                await timer.WaitForNextTickAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"Waited {timeout.TotalSeconds:0} s for {what}; last seen:{Environment.NewLine}{(describe ?? (v => v?.ToString() ?? "null"))(value)}"));
            }

            value = await read(cancellationToken);
        }
#pragma warning restore CA2007

        return value;
    }

    public static Task<T> MatchAsync<T>(Func<T> read, Func<T, bool> condition, TimeSpan timeout, string what, CancellationToken cancellationToken, Func<T, string>? describe = null) =>
        MatchAsync(_ => Task.FromResult(read()), condition, timeout, what, cancellationToken, describe);
}
