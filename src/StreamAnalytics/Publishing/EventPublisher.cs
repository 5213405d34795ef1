using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Detection;
using StreamAnalytics.Observability;

namespace StreamAnalytics.Publishing;

/// <summary>
/// Moves events from detection into the durable outbox at once (so a slow or absent broker never
/// backs up into the pipeline), and separately sends the outbox in order, one event at a time,
/// each until the broker acknowledges it. Delivery is at least once; consumers de-duplicate on eventId.
/// </summary>
internal sealed partial class EventPublisher(MqttConnection connection, DurableOutbox outbox, PipelineMetrics metrics, TimeProvider time, ILogger<EventPublisher> logger)
{
    private long _published;

    public long Published => Interlocked.Read(ref _published);

    public int Pending => outbox.Count;

    /// <summary>Persists every event from <paramref name="events"/> until it completes.</summary>
    public async Task PersistAsync(ChannelReader<DetectionEvent> events, CancellationToken cancellationToken)
    {
        while (await events.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (events.TryRead(out var detected))
            {
                outbox.Append(connection.Topics.Events(detected.CameraId), detected.CameraId, detected.LastCaptureTime, EventSerializer.Serialize(detected));
            }
        }
    }

    /// <summary>Sends the outbox until it is empty and <paramref name="persisting"/> has finished, or until cancelled.</summary>
    public async Task SendAsync(Task persisting, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (outbox.Count == 0)
            {
                if (persisting.IsCompleted)
                {
                    return;
                }

                using var wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                var next = outbox.PeekAsync(wake.Token);
                var finished = await Task.WhenAny(next, persisting).ConfigureAwait(false);
                if (finished != next)
                {
                    await wake.CancelAsync().ConfigureAwait(false);
                    try
                    {
                        await next.ConfigureAwait(false);
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        // Woken because persisting finished; loop to re-check the outbox.
                    }

                    continue;
                }
            }

            var entry = await outbox.PeekAsync(cancellationToken).ConfigureAwait(false);
            await SendOneAsync(entry, cancellationToken).ConfigureAwait(false);
            outbox.Complete(entry);
        }
    }

    private async Task SendOneAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        var payload = DurableOutbox.ReadPayload(entry);
        while (true)
        {
            await connection.EnsureConnectedAsync(cancellationToken).ConfigureAwait(false);
            string reason;
            try
            {
                if (await connection.PublishAsync(entry.Topic, payload, retain: false, cancellationToken).ConfigureAwait(false))
                {
                    Interlocked.Increment(ref _published);
                    metrics.EventsPublished.WithLabels(entry.CameraId).Inc();
                    metrics.EventDelay.WithLabels(entry.CameraId).Observe(Math.Max(0, (time.GetUtcNow() - entry.LastCaptureTime).TotalSeconds));
                    LogPublished(entry.CameraId, entry.Sequence, entry.Topic);
                    return;
                }

                reason = "the broker did not accept it";
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                reason = MqttConnection.Describe(ex);
            }

            metrics.EventsFailed.WithLabels(entry.CameraId).Inc();
            LogPublishFailed(entry.Sequence, entry.CameraId, reason);
            if (connection.IsConnected)
            {
                await connection.BackOffAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Published event #{Sequence} of camera {CameraId} to {Topic}")]
    private partial void LogPublished(string cameraId, long sequence, string topic);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT: event #{Sequence} of camera {CameraId} was not acknowledged ({Reason}); it stays in the outbox and is retried")]
    private partial void LogPublishFailed(long sequence, string cameraId, string reason);
}
