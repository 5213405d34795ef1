using StreamAnalytics.Configuration;
using StreamAnalytics.Inference;
using StreamAnalytics.Snapshots;

namespace StreamAnalytics.Detection;

/// <summary>
/// One camera/type/label's incident state: enter after K of the last M windows above the threshold
/// (and a minimum duration), send updates at most every interval, leave after L windows below, then
/// keep quiet for the cooldown. Time is capture time, so replays and fake clocks behave alike.
/// </summary>
internal sealed class IncidentTracker(EventLifecycleOptions options, double cooldownSeconds)
{
    private readonly Queue<bool> _recent = new();
    private Guid _id;
    private bool _active;
    private int _below;
    private double _peak;
    private long? _firstSequence;
    private DateTimeOffset _startTime;
    private DateTimeOffset _lastMessage;
    private DateTimeOffset? _lastEnd;

    // The peak window's frame, when its camera has snapshots: this tracker's own reference.
    private SnapshotFrame? _peakSnapshot;

    /// <summary>The message this window causes, if any.</summary>
    public IncidentMessage? Observe(bool above, double score, WindowInference window)
    {
        _recent.Enqueue(above);
        while (_recent.Count > options.EnterOf)
        {
            _recent.Dequeue();
        }

        return _active ? Continue(above, score, window) : TryStart(above, score, window);
    }

    private IncidentMessage? TryStart(bool above, double score, WindowInference window)
    {
        if (!_recent.Contains(true))
        {
            _firstSequence = null;
            _peak = 0;
            KeepPeakSnapshot(null);
            return null;
        }

        if (above)
        {
            if (_firstSequence is null)
            {
                _firstSequence = window.FirstSequence;
                _startTime = window.FirstCaptureTime;
            }

            RaisePeak(score, window);
        }

        var enough = _recent.Count(a => a) >= options.EnterWindows;
        var longEnough = window.LastCaptureTime - _startTime >= TimeSpan.FromSeconds(options.MinDurationSeconds);
        var cooled = _lastEnd is not { } end || window.LastCaptureTime - end >= TimeSpan.FromSeconds(cooldownSeconds);
        if (!enough || !longEnough || !cooled)
        {
            return null;
        }

        _active = true;
        _id = Guid.CreateVersion7(window.LastCaptureTime);
        _below = 0;
        _lastMessage = window.LastCaptureTime;
        return Message(IncidentPhase.Start, score, window, endTime: null);
    }

    private IncidentMessage? Continue(bool above, double score, WindowInference window)
    {
        if (above)
        {
            _below = 0;
            RaisePeak(score, window);
        }
        else
        {
            _below++;
        }

        if (_below >= options.ExitWindows)
        {
            var message = Message(IncidentPhase.End, score, window, endTime: window.LastCaptureTime);
            _active = false;
            _lastEnd = window.LastCaptureTime;
            _firstSequence = null;
            _peak = 0;
            KeepPeakSnapshot(null);
            _recent.Clear();
            return message;
        }

        if (window.LastCaptureTime - _lastMessage < TimeSpan.FromSeconds(options.UpdateIntervalSeconds))
        {
            return null;
        }

        _lastMessage = window.LastCaptureTime;
        return Message(IncidentPhase.Update, score, window, endTime: null);
    }

    private IncidentMessage Message(string phase, double score, WindowInference window, DateTimeOffset? endTime)
    {
        // The message gets its own reference: the end message outlives the tracker's.
        _peakSnapshot?.AddReference();
        return new(_id, phase, score, _peak, _firstSequence ?? window.FirstSequence, _startTime, endTime) { PeakSnapshot = _peakSnapshot };
    }

    private void RaisePeak(double score, WindowInference window)
    {
        if (score > _peak || _peakSnapshot is null)
        {
            KeepPeakSnapshot(window.Snapshot);
        }

        _peak = Math.Max(_peak, score);
    }

    private void KeepPeakSnapshot(SnapshotFrame? snapshot)
    {
        if (ReferenceEquals(snapshot, _peakSnapshot))
        {
            return;
        }

        snapshot?.AddReference();
        _peakSnapshot?.Release();
        _peakSnapshot = snapshot;
    }
}
