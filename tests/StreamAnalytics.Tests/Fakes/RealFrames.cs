using Microsoft.Extensions.Logging.Abstractions;
using StreamAnalytics.Ingest;
using StreamAnalytics.Tools;

namespace StreamAnalytics.Tests.Fakes;

/// <summary>Real footage for unit tests: the first frames of a shared UCSD Ped2 clip (360x240), decoded by the product's own ingest.</summary>
internal static class RealFrames
{
    public const int Width = 360;
    public const int Height = 240;

    private static readonly Lazy<IReadOnlyList<byte[]>> LazyPed2 = new(() => Decode(SharedData.Path("ucsd-ped2", "test", "test01.mp4"), 24));

    /// <summary>BGR pixels of the first 24 frames of <c>ucsd-ped2/test/test01.mp4</c>; copy before changing them.</summary>
    public static IReadOnlyList<byte[]> Ped2 => LazyPed2.Value;

    /// <summary>Rents a pooled frame holding <paramref name="pixels"/>.</summary>
    public static Frame Rent(FramePool pool, long sequence, ReadOnlySpan<byte> pixels)
    {
        var frame = pool.Rent();
        frame.Sequence = sequence;
        frame.CaptureTime = TestFrames.CaptureTimeOf(sequence);
        pixels.CopyTo(frame.Pixels);
        return frame;
    }

    private static List<byte[]> Decode(string path, int count)
    {
        var frames = new List<byte[]>();
        OfflineVideo.DecodeAsync(path, frame =>
        {
            Assert.Equal((Width, Height), (frame.Width, frame.Height));
            if (frames.Count < count)
            {
                frames.Add(frame.Pixels.ToArray());
            }
        }, NullLogger<CameraReader>.Instance, CancellationToken.None).GetAwaiter().GetResult();
        return frames;
    }
}
