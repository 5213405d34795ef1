using StreamAnalytics.Ingest;

namespace StreamAnalytics.Tests.Fakes;

/// <summary>Builds pooled frames with known pixels, sequence numbers and capture times.</summary>
internal static class TestFrames
{
    public static readonly DateTimeOffset Epoch = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Capture time of frame <paramref name="sequence"/> at 25 fps from <see cref="Epoch"/>.</summary>
    public static DateTimeOffset CaptureTimeOf(long sequence) => Epoch.AddMilliseconds(sequence * 40);

    /// <summary>Rents a frame whose every byte is <c>sequence % 251</c> (so each frame's content identifies it).</summary>
    public static Frame Rent(FramePool pool, long sequence)
    {
        var frame = pool.Rent();
        frame.Sequence = sequence;
        frame.CaptureTime = CaptureTimeOf(sequence);
        frame.Pixels.Fill(MarkerOf(sequence));
        return frame;
    }

    /// <summary>Rents a frame of one uniform BGR colour.</summary>
    public static Frame RentUniform(FramePool pool, long sequence, byte b, byte g, byte r)
    {
        var frame = pool.Rent();
        frame.Sequence = sequence;
        frame.CaptureTime = CaptureTimeOf(sequence);
        var pixels = frame.Pixels;
        for (var i = 0; i < pixels.Length; i += 3)
        {
            pixels[i] = b;
            pixels[i + 1] = g;
            pixels[i + 2] = r;
        }

        return frame;
    }

    public static byte MarkerOf(long sequence) => (byte)(sequence % 251);
}
