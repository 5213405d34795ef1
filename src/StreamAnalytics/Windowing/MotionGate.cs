using StreamAnalytics.Configuration;

namespace StreamAnalytics.Windowing;

/// <summary>
/// One camera's motion gate. Each sampled frame that a window holds is compared with the last frame of the last
/// window the backbone saw (the reference), as a <see cref="FrameThumbnail"/>: the window's change is the highest
/// <see cref="FrameThumbnail.ChangedFraction"/> among its frames that are new since the previous decision (the
/// others were in the previous window, already compared with the same reference). A window is gated when that
/// change is below <see cref="MotionGateOptions.Threshold"/>, unless the backbone last saw a window
/// <see cref="MotionGateOptions.MaxSkipSeconds"/> or more ago (by the injected clock), or there is no reference yet
/// (the first window, or the first after a reconnect). A window that passes becomes the reference.
/// Called on the camera's windowing task only; no allocation once the frame size is known.
/// </summary>
internal sealed class MotionGate
{
    private readonly MotionGateOptions _options;
    private readonly TimeProvider _time;
    private readonly TimeSpan _maxSkip;
    private readonly FrameThumbnail _current = new();
    private readonly FrameThumbnail _reference = new();
    private double _pendingChange;
    private DateTimeOffset _lastPassed;

    public MotionGate(MotionGateOptions options, TimeProvider time)
    {
        _options = options;
        _time = time;
        _maxSkip = TimeSpan.FromSeconds(options.MaxSkipSeconds);
    }

    /// <summary>The change of the last decided window (0 to 1); 1 when it had no reference. For diagnostics and the replay tool.</summary>
    public double LastChange { get; private set; }

    /// <summary>Measures one sampled frame of the window being built (the frame is only read).</summary>
    public void Observe(ReadOnlySpan<byte> bgr, int width, int height)
    {
        _current.Sample(bgr, width, height);
        var change = _reference.IsEmpty ? 1 : _current.ChangedFraction(_reference, _options.PixelDelta);
        if (change > _pendingChange)
        {
            _pendingChange = change;
        }
    }

    /// <summary>
    /// Decides the window whose last frame was the last one observed: true when it may skip the backbone. A window
    /// that passes becomes the reference and restarts the MaxSkipSeconds clock.
    /// </summary>
    public bool Skips()
    {
        var now = _time.GetUtcNow();
        var change = _pendingChange;
        _pendingChange = 0;
        LastChange = change;
        if (!_reference.IsEmpty && change < _options.Threshold && now - _lastPassed < _maxSkip)
        {
            return true;
        }

        _reference.CopyFrom(_current);
        _lastPassed = now;
        return false;
    }

    /// <summary>Forgets the reference (the camera reconnected: what came before the gap says nothing), so the next window passes.</summary>
    public void Reset()
    {
        _reference.Clear();
        _pendingChange = 0;
    }
}
