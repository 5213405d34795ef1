namespace StreamAnalytics.Detection;

/// <summary>What an <see cref="IncidentTracker"/> says about a window: the incident, its phase and what it has seen so far.</summary>
internal sealed record IncidentMessage(Guid IncidentId, string Phase, double Score, double PeakScore, long FirstSequence, DateTimeOffset StartTime, DateTimeOffset? EndTime)
{
    /// <summary>The incident's peak frame so far, with a reference of its own that the receiver releases; null without snapshots.</summary>
    public Snapshots.SnapshotFrame? PeakSnapshot { get; init; }
}
