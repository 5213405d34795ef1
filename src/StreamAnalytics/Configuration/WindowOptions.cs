namespace StreamAnalytics.Configuration;

/// <summary>Sliding temporal windows, as in DeepStream's sequence preprocessor.</summary>
internal sealed class WindowOptions
{
    /// <summary>Sampled frames per window (T).</summary>
    public int Length { get; set; } = 8;

    /// <summary>Decoded frames skipped between two sampled frames (0 samples every frame).</summary>
    public int Subsample { get; set; } = 2;

    /// <summary>Sampled frames between the starts of two consecutive windows (Length: no overlap).</summary>
    public int Hop { get; set; } = 4;
}
