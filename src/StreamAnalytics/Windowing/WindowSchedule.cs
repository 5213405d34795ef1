namespace StreamAnalytics.Windowing;

/// <summary>
/// Which frames are sampled and which sampled frames close a window, as in DeepStream's sequence
/// preprocessor: sample one frame, skip <see cref="Subsample"/>, and start a window every
/// <see cref="Hop"/> sampled frames; a window holds <see cref="Length"/> sampled frames.
/// All indices are 0-based counts of frames that reached windowing.
/// </summary>
internal readonly record struct WindowSchedule
{
    public WindowSchedule(int length, int subsample, int hop)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(subsample);
        ArgumentOutOfRangeException.ThrowIfLessThan(hop, 1);
        Length = length;
        Subsample = subsample;
        Hop = hop;
    }

    public int Length { get; }

    public int Subsample { get; }

    public int Hop { get; }

    /// <summary>Decoded frames one window spans, first to last sampled frame inclusive.</summary>
    public int SpanInFrames => ((Length - 1) * (Subsample + 1)) + 1;

    public bool IsSampled(long frameIndex) => frameIndex % (Subsample + 1) == 0;

    /// <summary>Whether any window contains this sampled frame (false only in the gaps when Hop &gt; Length).</summary>
    public bool IsCovered(long sampledIndex) => sampledIndex % Hop < Length;

    /// <summary>Whether this sampled frame is the last of a window.</summary>
    public bool CompletesWindow(long sampledIndex) =>
        sampledIndex >= Length - 1 && (sampledIndex - (Length - 1)) % Hop == 0;

    /// <summary>The sampled index of the first frame of the window that <paramref name="lastSampledIndex"/> completes.</summary>
    public long WindowStart(long lastSampledIndex) => lastSampledIndex - (Length - 1);

    /// <summary>The decoded-frame index of sampled frame <paramref name="sampledIndex"/>.</summary>
    public long FrameIndexOf(long sampledIndex) => sampledIndex * (Subsample + 1);
}
