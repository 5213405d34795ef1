using StreamAnalytics.Ingest;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Inference.Remote;

/// <summary>Windows of real frames and the windowing and pool they came from, released together.</summary>
internal sealed class RealFramesWindow(CameraWindowing windowing, FramePool pool, List<Window> windows) : IDisposable
{
    private bool _handedOver;

    public IReadOnlyList<Window> Windows => windows;

    public Window Window => windows[^1];

    /// <summary>The windows, for a stage's <c>RunAsync</c>: it releases each one it reads, so this no longer does.</summary>
    public IReadOnlyList<Window> HandOver()
    {
        _handedOver = true;
        return windows;
    }

    public void Dispose()
    {
        if (!_handedOver)
        {
            windows.ForEach(w => w.Release());
        }

        windowing.Dispose();
        pool.Dispose();
    }
}
