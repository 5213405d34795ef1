namespace StreamAnalytics.GateReplay;

/// <summary>The gate's clock during a replay: video time, one frame interval per decoded frame, however fast decoding runs.</summary>
internal sealed class ReplayClock : TimeProvider
{
    private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
