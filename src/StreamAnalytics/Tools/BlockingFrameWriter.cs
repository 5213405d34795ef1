using System.Threading.Channels;
using StreamAnalytics.Ingest;

namespace StreamAnalytics.Tools;

/// <summary>
/// Gives <see cref="CameraReader"/> back-pressure for offline decoding. The reader writes with
/// <c>TryWrite</c> because a live camera must never wait; on a full Wait-mode channel that call
/// returns false and the reader would end the file early, and an unbounded channel would hold a
/// whole file's frames in memory. This writer instead blocks the reader's thread until the consumer
/// has made room, so every decoded frame is delivered and at most the channel's capacity is buffered.
/// For offline use only: it parks a thread-pool thread while the consumer catches up.
/// </summary>
internal sealed class BlockingFrameWriter(ChannelWriter<Frame> inner, CancellationToken cancellationToken) : ChannelWriter<Frame>
{
    public override bool TryWrite(Frame item)
    {
        while (!inner.TryWrite(item))
        {
            try
            {
                if (!inner.WaitToWriteAsync(cancellationToken).AsTask().GetAwaiter().GetResult())
                {
                    return false;
                }
            }
            catch (OperationCanceledException)
            {
                // The reader then disposes the frame and ends its session cleanly.
                return false;
            }
        }

        return true;
    }

    public override ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default) =>
        inner.WaitToWriteAsync(cancellationToken);

    public override bool TryComplete(Exception? error = null) => inner.TryComplete(error);
}
