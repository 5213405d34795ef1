using System.Threading.Channels;
using StreamAnalytics.Detection;
using StreamAnalytics.Inference;
using StreamAnalytics.Ingest;
using StreamAnalytics.Observability;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Hosting;

/// <summary>
/// The bounded channels between stages. Lossy hops (frames, windows) drop their oldest item and count it,
/// so capture never waits on inference; the hops that carry results and events wait instead of dropping.
/// </summary>
internal static class PipelineChannels
{
    public static Channel<Frame> ForFrames(int capacity, CameraMetrics metrics) =>
        Channel.CreateBounded<Frame>(
            new BoundedChannelOptions(capacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
                SingleWriter = true,
                AllowSynchronousContinuations = false,
            },
            frame =>
            {
                metrics.FramesDroppedQueueFull.Inc();
                frame.Dispose();
            });

    public static Channel<Window> ForWindows(int capacity, PipelineMetrics metrics) =>
        Channel.CreateBounded<Window>(
            new BoundedChannelOptions(capacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
                SingleWriter = false,
                AllowSynchronousContinuations = false,
            },
            window =>
            {
                metrics.WindowsDropped.WithLabels(window.CameraId, DropReasons.QueueFull).Inc();
                window.Release();
            });

    public static Channel<WindowInference> ForResults(int capacity) =>
        Channel.CreateBounded<WindowInference>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });

    public static Channel<DetectionEvent> ForEvents(int capacity) =>
        Channel.CreateBounded<DetectionEvent>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
}
