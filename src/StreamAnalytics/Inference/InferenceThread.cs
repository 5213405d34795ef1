using System.Collections.Concurrent;

namespace StreamAnalytics.Inference;

/// <summary>
/// One dedicated thread that runs every model call of a stage. ONNX Runtime's <c>Run</c> is synchronous
/// and takes tens to hundreds of milliseconds: on a thread-pool thread it starves the camera loops of a
/// 2-core machine, and whichever pool thread resumes the stage leaves its allocations in its own glibc
/// malloc arena (up to 8 per core), each keeping its own high-water mark (docs/soak.md). Callers await the
/// result; their continuations run on the pool, never on this thread. Work that itself awaits (a remote model's
/// call) and resumes with <c>ConfigureAwait(true)</c> comes back to this thread: it is the thread's
/// synchronization context, so the window heads and a local fallback after the await still run here.
/// </summary>
internal sealed class InferenceThread : IDisposable
{
    private readonly BlockingCollection<Work> _queue = new(new ConcurrentQueue<Work>(), boundedCapacity: 4);
    private readonly Thread _thread;

    public InferenceThread(string name)
    {
        _thread = new Thread(Loop) { Name = name, IsBackground = true };
        _thread.Start();
    }

    /// <summary>Runs <paramref name="work"/> on the inference thread; calls are served one at a time, in order.</summary>
    public Task<T> RunAsync<T>(Func<T> work, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add(new Work(() =>
        {
            try
            {
                done.SetResult(work());
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        }), cancellationToken);
        return done.Task;
    }

    private void Loop()
    {
        SynchronizationContext.SetSynchronizationContext(new ThreadContext(this));
        foreach (var work in _queue.GetConsumingEnumerable())
        {
            work.Run();
        }
    }

    /// <summary>Finishes the calls already queued, then ends the thread.</summary>
    public void Dispose()
    {
        _queue.CompleteAdding();
        _thread.Join();
        _queue.Dispose();
    }

    private void Post(SendOrPostCallback callback, object? state)
    {
        try
        {
            _queue.Add(new Work(() => callback(state)));
        }
        catch (InvalidOperationException)
        {
            // The thread has been told to end: a late continuation still has to run somewhere.
            ThreadPool.QueueUserWorkItem(s => callback(s), state, preferLocal: false);
        }
    }

    private readonly record struct Work(Action Run);

    private sealed class ThreadContext(InferenceThread thread) : SynchronizationContext
    {
        public override void Post(SendOrPostCallback d, object? state) => thread.Post(d, state);

        public override SynchronizationContext CreateCopy() => this;
    }
}
