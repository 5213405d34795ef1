namespace StreamAnalytics.Configuration;

/// <summary>
/// A camera's motion gate: windows of a scene that has not changed since the backbone last looked at it skip the
/// backbone and the window heads, which keep their last verdict on the camera. The change measure is the fraction
/// of a small grid of grey samples (about 64 across the frame) that moved by more than <see cref="PixelDelta"/>
/// grey levels since the last window the backbone saw.
/// </summary>
internal sealed class MotionGateOptions
{
    public bool Enabled { get; set; }

    /// <summary>A window whose frames all differ from the last inferred one in less than this fraction of the samples is gated (0 to 1).</summary>
    public double Threshold { get; set; } = 0.002;

    /// <summary>How many grey levels (0 to 255) a sample must move to count as changed; above sensor and compression noise.</summary>
    public int PixelDelta { get; set; } = 24;

    /// <summary>The backbone sees at least one window this often however still the scene is, so a slow change is still seen.</summary>
    public double MaxSkipSeconds { get; set; } = 4;
}
