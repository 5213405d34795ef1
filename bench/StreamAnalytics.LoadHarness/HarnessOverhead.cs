namespace StreamAnalytics.LoadHarness;

/// <summary>
/// Managed bytes the harness itself allocates (reading /proc, parsing scrapes and events), so they can be
/// taken out of the pipeline's allocation figure. Only synchronous code may run inside a <see cref="Scope"/>;
/// nested scopes count once (the outermost one measures).
/// </summary>
internal static class HarnessOverhead
{
    [ThreadStatic]
    private static int _depth;

    private static long _bytes;

    public static long Bytes => Interlocked.Read(ref _bytes);

    public static void Add(long bytes) => Interlocked.Add(ref _bytes, bytes);

    public static Scope Measure()
    {
        _depth++;
        return new(GC.GetAllocatedBytesForCurrentThread());
    }

    public readonly struct Scope(long start) : IDisposable
    {
        public void Dispose()
        {
            var end = GC.GetAllocatedBytesForCurrentThread();
            if (--_depth == 0)
            {
                Add(end - start);
            }
        }
    }
}
