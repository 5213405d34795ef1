namespace StreamAnalytics.Ingest;

/// <summary>The size frames are decoded to, and the source's nominal frame rate when known.</summary>
internal readonly record struct VideoGeometry(int Width, int Height, double? FramesPerSecond)
{
    /// <summary>Fills in a missing width or height from the source's aspect ratio, rounded to even (what scalers want).</summary>
    public static VideoGeometry Resolve(int? width, int? height, VideoGeometry source)
    {
        static int Even(double v) => Math.Max(2, (int)Math.Round(v / 2) * 2);
        return (width, height) switch
        {
            ({ } w, { } h) => new VideoGeometry(w, h, source.FramesPerSecond),
            ({ } w, null) => new VideoGeometry(w, Even((double)w * source.Height / source.Width), source.FramesPerSecond),
            (null, { } h) => new VideoGeometry(Even((double)h * source.Width / source.Height), h, source.FramesPerSecond),
            _ => new VideoGeometry(Even(source.Width), Even(source.Height), source.FramesPerSecond),
        };
    }
}
