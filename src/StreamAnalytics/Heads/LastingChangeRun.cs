namespace StreamAnalytics.Heads;

/// <summary>
/// A run of alerts that a head may learn as normal once it has lasted (a parked car for appearance, machinery for
/// motion). A run starts at an alert and ends after <c>quietBreak</c> of footage without one, so a moment hidden (a bus
/// in front of the car) does not restart its count; quiet footage inside it counts. It has lasted once its footage
/// reaches <c>lasting</c>, and that is reported only on an alert: a run gone quiet may be over, and the break will tell.
/// Both heads use this one rule; each keeps its own sample of the run and decides what learning it means.
/// </summary>
internal sealed class LastingChangeRun
{
    private readonly TimeSpan _lasting;
    private readonly TimeSpan _quietBreak;
    private TimeSpan _quiet;

    public LastingChangeRun(TimeSpan lasting, TimeSpan quietBreak)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lasting, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(quietBreak, TimeSpan.Zero);
        _lasting = lasting;
        _quietBreak = quietBreak;
    }

    /// <summary>A run is going on.</summary>
    public bool Active { get; private set; }

    /// <summary>Footage since the run's first alert; zero when none is going on.</summary>
    public TimeSpan Footage { get; private set; }

    /// <param name="alerting">This window or frame alerted.</param>
    /// <param name="step">Footage since the last one (capped by the caller for gaps).</param>
    /// <param name="started">This alert began a new run: the caller starts a new sample of it.</param>
    /// <returns>The run has lasted; the caller learns it and calls <see cref="End"/>, or asks again at the next alert.</returns>
    public bool Observe(bool alerting, TimeSpan step, out bool started)
    {
        started = alerting && !Active;
        if (started)
        {
            Active = true;
            Footage = TimeSpan.Zero;
        }
        else if (Active)
        {
            Footage += step;
        }

        if (alerting)
        {
            _quiet = TimeSpan.Zero;
        }
        else if (Active)
        {
            _quiet += step;
            if (_quiet >= _quietBreak)
            {
                End();
            }
        }

        return alerting && Footage >= _lasting;
    }

    public void End()
    {
        Active = false;
        Footage = TimeSpan.Zero;
        _quiet = TimeSpan.Zero;
    }
}
