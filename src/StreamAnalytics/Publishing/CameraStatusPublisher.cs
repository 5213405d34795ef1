using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Ingest;

namespace StreamAnalytics.Publishing;

/// <summary>
/// Publishes each camera's latest state, retained, on <c>&lt;prefix&gt;/&lt;camera&gt;/status</c>. Only the
/// latest state matters, so nothing queues up while the broker is away; every state is re-sent on reconnect.
/// </summary>
[SuppressMessage("Design", "CA1001:Types that own disposable fields should be disposable", Justification = "The semaphore never creates its wait handle (only WaitAsync and Release), so it holds nothing to dispose.")]
internal sealed partial class CameraStatusPublisher
{
    private readonly MqttConnection _connection;
    private readonly ILogger _logger;
    private readonly Dictionary<string, CameraStatus> _latest = new(StringComparer.Ordinal);
    private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
    private readonly HashSet<string> _removed = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _changed = new(0);

    public CameraStatusPublisher(MqttConnection connection, ILogger<CameraStatusPublisher> logger)
    {
        _connection = connection;
        _logger = logger;
        _connection.Connected += _ =>
        {
            lock (_gate)
            {
                _dirty.UnionWith(_latest.Keys);
                Signal();
            }

            return Task.CompletedTask;
        };
    }

    public void Report(CameraStatus status)
    {
        lock (_gate)
        {
            _latest[status.CameraId] = status;
            _removed.Remove(status.CameraId);
            _dirty.Add(status.CameraId);
            Signal();
        }
    }

    /// <summary>A camera removed at run time: its retained status is cleared (an empty retained message), so subscribers stop seeing it.</summary>
    public void Forget(string cameraId)
    {
        lock (_gate)
        {
            _latest.Remove(cameraId);
            _dirty.Remove(cameraId);
            _removed.Add(cameraId);
            Signal();
        }
    }

    /// <summary>A camera's learning progress (0 to 1, null when nothing learns it), put into its status; set once the pipeline's heads exist.</summary>
    public Func<string, double?> Learning { get; set; } = _ => null;

    /// <summary>Re-publishes a camera's latest state because something in it other than the state changed (its learning progress).</summary>
    public void Touch(string cameraId)
    {
        lock (_gate)
        {
            if (_latest.ContainsKey(cameraId) && _dirty.Add(cameraId))
            {
                Signal();
            }
        }
    }

    public static byte[] Serialize(CameraStatus status, double? learning = null) => JsonSerializer.SerializeToUtf8Bytes(
        new CameraStatusPayload(1, status.CameraId, status.State.ToString().ToLowerInvariant(), status.Since, status.LastError, learning is { } l ? Math.Round(l, 3) : null),
        PublishingJsonContext.Default.CameraStatusPayload);

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            await _changed.WaitAsync(cancellationToken).ConfigureAwait(false);
            await FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Publishes every state not yet published; when disconnected, the reconnect re-sends them.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (!_connection.IsConnected)
        {
            return;
        }

        List<CameraStatus> batch;
        List<string> removed;
        lock (_gate)
        {
            batch = [.. _dirty.Select(id => _latest[id])];
            _dirty.Clear();
            removed = [.. _removed];
            _removed.Clear();
        }

        foreach (var cameraId in removed)
        {
            try
            {
                await _connection.PublishAsync(_connection.Topics.CameraStatus(cameraId), [], retain: true, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogFailed(cameraId, MqttConnection.Describe(ex));
                lock (_gate)
                {
                    if (!_latest.ContainsKey(cameraId))
                    {
                        _removed.Add(cameraId);
                    }
                }
            }
        }

        foreach (var status in batch)
        {
            try
            {
                await _connection.PublishAsync(_connection.Topics.CameraStatus(status.CameraId), Serialize(status, Learning(status.CameraId)), retain: true, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                LogFailed(status.CameraId, MqttConnection.Describe(ex));
                lock (_gate)
                {
                    // Kept for the reconnect to re-send (a newer state may already have replaced it).
                    _dirty.Add(status.CameraId);
                }
            }
        }
    }

    private void Signal()
    {
        if (_changed.CurrentCount == 0)
        {
            _changed.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "MQTT: status of camera {CameraId} not published ({Reason}); re-sent on reconnect")]
    private partial void LogFailed(string cameraId, string reason);
}
