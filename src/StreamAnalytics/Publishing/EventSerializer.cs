using System.Text.Json;
using StreamAnalytics.Detection;

namespace StreamAnalytics.Publishing;

internal static class EventSerializer
{
    public static EventPayload ToPayload(DetectionEvent e) => new(
        EventPayload.CurrentSchemaVersion,
        e.MessageId.ToString(),
        e.EventId.ToString(),
        e.Phase,
        e.CameraId,
        e.Type,
        e.Label,
        Math.Round(e.Score, 6),
        Math.Round(e.PeakScore, 6),
        Math.Round(e.Threshold, 6),
        new EventWindowPayload(e.FirstSequence, e.LastSequence, e.FirstCaptureTime, e.LastCaptureTime),
        new EventIncidentPayload(e.IncidentFirstSequence, e.IncidentStartTime, e.IncidentEndTime),
        new EventModelPayload(e.ModelName, e.ModelVersion),
        new EventModelPayload(e.HeadName, e.HeadVersion),
        e.DetectedAt)
    {
        Snapshot = e.Snapshot is { } s
            ? new EventSnapshotPayload(EventSnapshotContentType, s.Frame, s.CaptureTime, s.Width, s.Height, s.Quality, s.Bytes) { Path = s.Path, Data = s.Data, Omitted = s.Omitted }
            : null,
    };

    public const string EventSnapshotContentType = "image/jpeg";

    public static byte[] Serialize(DetectionEvent e) =>
        JsonSerializer.SerializeToUtf8Bytes(ToPayload(e), PublishingJsonContext.Default.EventPayload);

    public static EventPayload? Deserialize(ReadOnlySpan<byte> json) =>
        JsonSerializer.Deserialize(json, PublishingJsonContext.Default.EventPayload);
}
