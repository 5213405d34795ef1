using OpenCvSharp;

namespace StreamAnalytics.Snapshots;

/// <summary>
/// JPEG within a byte cap: the configured quality first, then lower quality down to <see cref="QualityFloor"/>,
/// then smaller pictures down to <see cref="MinWidth"/>, then nothing. Runs per incident message, not per
/// frame, so it may allocate.
/// </summary>
internal static class SnapshotEncoder
{
    public const int QualityFloor = 40;

    public const int MinWidth = 64;

    public readonly record struct Result(byte[]? Jpeg, int Width, int Height, int Quality);

    public static Result Encode(SnapshotFrame frame, int quality, int maxBytes)
    {
        var source = frame.Mat;
        var (width, height) = (frame.Width, frame.Height);
        using var scaled = new Mat();
        while (true)
        {
            var image = source;
            if (width != frame.Width)
            {
                Cv2.Resize(source, scaled, new Size(width, height), 0, 0, InterpolationFlags.Area);
                image = scaled;
            }

            Cv2.ImEncode(".jpg", image, out var jpeg, new ImageEncodingParam(ImwriteFlags.JpegQuality, quality));
            GC.KeepAlive(frame);
            if (jpeg.Length <= maxBytes)
            {
                return new Result(jpeg, width, height, quality);
            }

            if (quality > QualityFloor)
            {
                quality = Math.Max(QualityFloor, quality - 20);
            }
            else if (width * 3 / 4 >= MinWidth)
            {
                width = width * 3 / 4;
                height = Math.Max(1, (int)Math.Round((double)frame.Height * width / frame.Width));
            }
            else
            {
                return new Result(null, width, height, quality);
            }
        }
    }
}
