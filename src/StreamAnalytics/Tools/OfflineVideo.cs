using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Ingest;
using StreamAnalytics.Observability;

namespace StreamAnalytics.Tools;

/// <summary>
/// Decodes a video file for the offline commands through the product's own ingest (<see cref="CameraReader"/>
/// and its ffmpeg child process), so offline scores are computed on exactly the frames a live camera
/// reading the same file would get. Unlike a live camera it never drops a frame, never loops, never
/// paces to the file's frame rate, and fails instead of reconnecting. Frames are stamped with footage time (frame
/// number over the file's frame rate), which is what a live camera's capture times measure, so heads that pace
/// themselves by time (the motion head's <c>MaxFps</c>) pick the same frames offline as live.
/// </summary>
internal static class OfflineVideo
{
    private const int QueueCapacity = 32;

    /// <summary>Footage time for a file whose frame rate cannot be read (rare: an .avi without a rate).</summary>
    private const double FallbackFps = 25;

    /// <summary>
    /// Calls <paramref name="onFrame"/> for every decoded frame in order and returns the frame count. Frames are disposed
    /// after it returns, so it must neither dispose one nor hand it to something that does (<c>CameraWindowing</c>):
    /// by the second dispose the decoder may have rented the frame again. Such a caller copies the frame first.
    /// </summary>
    /// <param name="height">Decode at this height, as a live camera under <c>Pipeline.DecodeSize</c> does (the aspect kept); null: the file's own.</param>
    /// <param name="fastDecode">The camera's <see cref="CameraOptions.FastDecode"/>, resolved against the file's height as live.</param>
    /// <param name="scaleFilter">The camera's <see cref="CameraOptions.ScaleFilter"/>, for a <paramref name="height"/> below the file's, resolved against the file's height as live.</param>
    /// <exception cref="VideoSourceException">The file is missing, not a video, or decoding stopped early.</exception>
    public static async Task<long> DecodeAsync(string path, Action<Frame> onFrame, ILogger<CameraReader> logger, CancellationToken cancellationToken, int? height = null, string fastDecode = CameraOptions.FastDecodeAuto, string scaleFilter = CameraOptions.ScaleAuto)
    {
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new VideoSourceException($"file '{fullPath}' does not exist");
        }

        var camera = new CameraOptions
        {
            Id = "offline",
            Url = fullPath,
            Loop = false,
            Realtime = false,
            QueueCapacity = QueueCapacity,
            Reconnect = new ReconnectOptions
            {
                // A busy machine may pause decoding for a while; offline there is no camera to give up on.
                WatchdogSeconds = 3600,
                OpenTimeoutSeconds = 120,
            },
        };
        if (!CameraSource.TryParse(camera.Url, out var source, out var sourceError))
        {
            throw new VideoSourceException(sourceError);
        }

        VideoGeometry geometry;
        try
        {
            geometry = VideoGeometry.Resolve(null, null, await VideoProbe.ProbeAsync(source, camera, TimeSpan.FromSeconds(camera.Reconnect.OpenTimeoutSeconds), cancellationToken).ConfigureAwait(false));
        }
        catch (VideoSourceException ex)
        {
            throw new VideoSourceException($"'{fullPath}' could not be decoded: {ex.Message}");
        }

        // The reader probes only a camera without a size: this one is probed once, here, and so decides FastDecode and ScaleFilter here too.
        var sourceHeight = geometry.Height;
        if (height is { } h && h < geometry.Height)
        {
            geometry = VideoGeometry.Resolve(null, h, geometry);
        }

        camera.Width = geometry.Width;
        camera.Height = geometry.Height;
        camera.FastDecode = FastDecodeRule.Resolve(fastDecode, geometry.Height, sourceHeight) ? CameraOptions.FastDecodeOn : CameraOptions.FastDecodeOff;
        camera.ScaleFilter = ScaleFilterRule.Resolve(scaleFilter, geometry.Height, sourceHeight) ? CameraOptions.ScaleArea : CameraOptions.ScaleBicubic;
        var fps = geometry.FramesPerSecond ?? FallbackFps;
        var channel = Channel.CreateBounded<Frame>(new BoundedChannelOptions(QueueCapacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = true,
        });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        string? failure = null;
        var metrics = new PipelineMetrics(Prometheus.Metrics.NewCustomRegistry()).ForCamera(camera.Id);
        var reader = new CameraReader(camera, new BlockingFrameWriter(channel.Writer, stop.Token), metrics, TimeProvider.System, logger, status =>
        {
            // A live camera would retry; a file that failed once fails the same way again.
            if (status.State is CameraState.Reconnecting or CameraState.Stalled or CameraState.Offline)
            {
                Interlocked.CompareExchange(ref failure, status.LastError ?? status.State.ToString().ToLowerInvariant(), null);
                stop.Cancel();
            }
        });
        var reading = Task.Run(() => reader.RunAsync(stop.Token), CancellationToken.None);
        long count = 0;
        try
        {
            await foreach (var frame in channel.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                using (frame)
                {
                    if (failure is not null || cancellationToken.IsCancellationRequested)
                    {
                        continue;
                    }

                    if (frame.Sequence != count + 1)
                    {
                        throw new VideoSourceException($"'{fullPath}': frame {count + 1} expected, got {frame.Sequence} (a frame was lost)");
                    }

                    frame.CaptureTime = DateTimeOffset.UnixEpoch.AddSeconds(count / fps);
                    onFrame(frame);
                    count++;
                }
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            while (channel.Reader.TryRead(out var left))
            {
                left.Dispose();
            }

            await reading.ConfigureAwait(false);
            while (channel.Reader.TryRead(out var left))
            {
                left.Dispose();
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (failure is not null)
        {
            throw new VideoSourceException($"'{fullPath}' could not be decoded: {failure}");
        }

        if (count == 0)
        {
            throw new VideoSourceException($"'{fullPath}' has no video frames");
        }

        return count;
    }
}
