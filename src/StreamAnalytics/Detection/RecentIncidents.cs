using System.Threading.Channels;
using Prometheus;

namespace StreamAnalytics.Detection;

/// <summary>
/// The latest incidents, newest first and bounded (the oldest is forgotten), and a live feed of their messages for
/// every subscriber. A subscriber that reads too slowly loses its oldest unread messages, counted, and never slows
/// detection down.
/// </summary>
internal sealed class RecentIncidents
{
    private const int SubscriberQueue = 256;

    private readonly int _capacity;
    private readonly Counter? _dropped;
    private readonly Lock _gate = new();
    private readonly LinkedList<IncidentRecord> _newestFirst = new();
    private readonly Dictionary<Guid, LinkedListNode<IncidentRecord>> _byId = [];
    private readonly List<Channel<IncidentRecord>> _subscribers = [];

    /// <param name="dropped">Counts messages a slow subscriber missed.</param>
    public RecentIncidents(int capacity, Counter? dropped = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _capacity = capacity;
        _dropped = dropped;
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _newestFirst.Count;
            }
        }
    }

    public void Record(DetectionEvent message)
    {
        var record = IncidentRecord.From(message);
        lock (_gate)
        {
            if (_byId.Remove(record.IncidentId, out var node))
            {
                _newestFirst.Remove(node);
            }

            _byId[record.IncidentId] = _newestFirst.AddFirst(record);
            while (_newestFirst.Count > _capacity)
            {
                _byId.Remove(_newestFirst.Last!.Value.IncidentId);
                _newestFirst.RemoveLast();
            }

            foreach (var subscriber in _subscribers)
            {
                subscriber.Writer.TryWrite(record);
            }
        }
    }

    /// <summary>Newest first; each filter is ignored when null. <paramref name="since"/> keeps incidents updated at or after it.</summary>
    public List<IncidentRecord> Query(string? cameraId, string? type, DateTimeOffset? since, int limit)
    {
        var found = new List<IncidentRecord>();
        lock (_gate)
        {
            foreach (var record in _newestFirst)
            {
                if (found.Count >= limit)
                {
                    break;
                }

                if ((cameraId is null || record.CameraId == cameraId)
                    && (type is null || record.Type == type)
                    && (since is null || record.UpdatedAt >= since))
                {
                    found.Add(record);
                }
            }
        }

        return found;
    }

    /// <summary>Every message from now on, until the subscription is disposed.</summary>
    public IncidentSubscription Subscribe()
    {
        var channel = Channel.CreateBounded<IncidentRecord>(
            new BoundedChannelOptions(SubscriberQueue)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
                SingleWriter = true,
                AllowSynchronousContinuations = false,
            },
            _ => _dropped?.Inc());
        lock (_gate)
        {
            _subscribers.Add(channel);
        }

        return new IncidentSubscription(channel, Unsubscribe);
    }

    private void Unsubscribe(Channel<IncidentRecord> channel)
    {
        lock (_gate)
        {
            _subscribers.Remove(channel);
        }

        channel.Writer.TryComplete();
    }
}
