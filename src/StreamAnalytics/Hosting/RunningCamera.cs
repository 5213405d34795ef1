using StreamAnalytics.Configuration;
using StreamAnalytics.Ingest;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Hosting;

/// <summary>One camera of the running pipeline: its reader and windowing, and what the API shows of it.</summary>
internal sealed class RunningCamera(CameraOptions options, CameraOrigin origin, CameraReader reader, LatestFrameTap tap, CancellationTokenSource stop)
{
    private long _sampledFrames;
    private long _sampledAt;

    public string Id => Options.Id;

    public CameraOptions Options { get; } = options;

    public CameraOrigin Origin { get; } = origin;

    public CameraReader Reader { get; } = reader;

    /// <summary>The next decoded, masked frame as JPEG, on request.</summary>
    public LatestFrameTap Tap { get; } = tap;

    /// <summary>Decoded frames per second over the last sampling period (<see cref="SampleRate"/>).</summary>
    public double FramesPerSecond { get; private set; }

    /// <summary>Ended on its own (a file without Loop); it stays listed until removed.</summary>
    public bool Finished => ReaderTask.IsCompleted;

    /// <summary>Frames waiting between the reader and windowing.</summary>
    public int QueuedFrames => Frames?.Count ?? 0;

    internal System.Threading.Channels.ChannelReader<Frame>? Frames { get; init; }

    internal CancellationTokenSource Stop { get; } = stop;

    internal Task ReaderTask { get; set; } = Task.CompletedTask;

    internal Task WindowingTask { get; set; } = Task.CompletedTask;

    internal CancellationTokenRegistration DrainRegistration { get; set; }

    internal void SampleRate(long timestamp, TimeProvider time)
    {
        var frames = Reader.FramesRead;
        if (_sampledAt != 0)
        {
            var seconds = time.GetElapsedTime(_sampledAt, timestamp).TotalSeconds;
            if (seconds > 0)
            {
                FramesPerSecond = (frames - _sampledFrames) / seconds;
            }
        }

        _sampledFrames = frames;
        _sampledAt = timestamp;
    }
}
