using Microsoft.Extensions.Logging.Abstractions;
using StreamAnalytics.Ingest;
using StreamAnalytics.Tools;

namespace StreamAnalytics.MotionSweep;

/// <summary>Decodes videos once through the product's ingest and replays them into the product's types.</summary>
internal static class Footage
{
    public static async Task<DecodedVideo> DecodeAsync(string path)
    {
        var frames = new List<byte[]>();
        int width = 0, height = 0;
        await OfflineVideo.DecodeAsync(path, frame =>
        {
            // The decoder's frames are pooled and reused once this returns: keep a copy.
            frames.Add(frame.Buffer.AsSpan(0, frame.Width * frame.Height * 3).ToArray());
            width = frame.Width;
            height = frame.Height;
        }, NullLogger<CameraReader>.Instance, CancellationToken.None).ConfigureAwait(false);
        return new DecodedVideo(Path.GetFileName(path), width, height, frames);
    }

    /// <summary>Calls <paramref name="onFrame"/> with each frame of <paramref name="video"/>, in order, in one reused pooled frame (sequence numbers from 1).</summary>
    public static void Replay(DecodedVideo video, Action<Frame> onFrame)
    {
        using var pool = new FramePool("sweep", video.Width, video.Height);
        using var frame = pool.Rent();
        for (var i = 0; i < video.Frames.Count; i++)
        {
            video.Frames[i].CopyTo(frame.Buffer, 0);
            frame.Sequence = i + 1;
            onFrame(frame);
        }
    }
}
