namespace StreamAnalytics.MotionSweep;

/// <summary>A video decoded once by the product's ingest: every frame's BGR bytes, copied out of the decoder's pool.</summary>
internal sealed record DecodedVideo(string Name, int Width, int Height, IReadOnlyList<byte[]> Frames);
