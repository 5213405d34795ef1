using System.Text.Json;
using StreamAnalytics.Detection;
using StreamAnalytics.Publishing;

namespace StreamAnalytics.Tests.Publishing;

public sealed class EventSerializerTests
{
    private static readonly DetectionEvent Sample = new(
        Guid.Parse("0190f3a0-1234-7abc-8def-0123456789ab"),
        "front-door",
        EventType.Action,
        "fall",
        0.987654321,
        0.5,
        120,
        141,
        new DateTimeOffset(2025, 3, 1, 8, 0, 0, 40, TimeSpan.Zero),
        new DateTimeOffset(2025, 3, 1, 8, 0, 2, 840, TimeSpan.Zero),
        "resnet18-imagenet",
        "0.23.1",
        new DateTimeOffset(2025, 3, 1, 8, 0, 3, 0, TimeSpan.Zero))
    {
        HeadName = "softmax-threshold",
        HeadVersion = "1",
    };

    [Fact]
    public void Json_uses_camel_case_names_for_every_field()
    {
        using var json = JsonDocument.Parse(EventSerializer.Serialize(Sample));
        var root = json.RootElement;

        Assert.Equal(
            ["schemaVersion", "messageId", "eventId", "phase", "cameraId", "type", "label", "score", "peakScore", "threshold", "window", "incident", "model", "head", "detectedAt"],
            root.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(EventPayload.CurrentSchemaVersion, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(2, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal(Sample.MessageId.ToString(), root.GetProperty("messageId").GetString());
        Assert.NotEqual(root.GetProperty("eventId").GetString(), root.GetProperty("messageId").GetString());
        Assert.Equal("start", root.GetProperty("phase").GetString());
        var incident = root.GetProperty("incident");
        Assert.Equal(["firstFrame", "startTime", "endTime"], incident.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(120, incident.GetProperty("firstFrame").GetInt64());
        Assert.Equal(JsonValueKind.Null, incident.GetProperty("endTime").ValueKind);
        Assert.Equal("softmax-threshold", root.GetProperty("head").GetProperty("name").GetString());
        Assert.Equal("0190f3a0-1234-7abc-8def-0123456789ab", root.GetProperty("eventId").GetString());
        Assert.Equal("front-door", root.GetProperty("cameraId").GetString());
        Assert.Equal("action", root.GetProperty("type").GetString());
        Assert.Equal("fall", root.GetProperty("label").GetString());
        Assert.Equal(0.987654, root.GetProperty("score").GetDouble());
        Assert.Equal(0.5, root.GetProperty("threshold").GetDouble());

        var window = root.GetProperty("window");
        Assert.Equal(["firstFrame", "lastFrame", "firstCaptureTime", "lastCaptureTime"], window.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal(120, window.GetProperty("firstFrame").GetInt64());
        Assert.Equal(141, window.GetProperty("lastFrame").GetInt64());
        Assert.Equal(Sample.FirstCaptureTime, window.GetProperty("firstCaptureTime").GetDateTimeOffset());
        Assert.Equal(Sample.LastCaptureTime, window.GetProperty("lastCaptureTime").GetDateTimeOffset());

        var model = root.GetProperty("model");
        Assert.Equal(["name", "version"], model.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("resnet18-imagenet", model.GetProperty("name").GetString());
        Assert.Equal("0.23.1", model.GetProperty("version").GetString());
        Assert.Equal(Sample.DetectedAt, root.GetProperty("detectedAt").GetDateTimeOffset());
    }

    [Fact]
    public void Serialized_events_round_trip()
    {
        var bytes = EventSerializer.Serialize(Sample);

        var payload = EventSerializer.Deserialize(bytes);

        Assert.NotNull(payload);
        Assert.Equal(EventSerializer.ToPayload(Sample), payload);
        Assert.Equal(Sample.EventId, Guid.Parse(payload.EventId));
        Assert.Equal(Sample.FirstCaptureTime, payload.Window.FirstCaptureTime);
        Assert.Equal("0.23.1", payload.Model.Version);
    }

    [Fact]
    public void Scores_are_rounded_to_six_decimals()
    {
        var payload = EventSerializer.ToPayload(Sample with { Score = 0.1234564999, Threshold = 0.0000004 });

        Assert.Equal(0.123456, payload.Score);
        Assert.Equal(0, payload.Threshold);
    }

    [Fact]
    public void Capture_times_are_written_as_iso_8601_with_offset()
    {
        var json = System.Text.Encoding.UTF8.GetString(EventSerializer.Serialize(Sample));

        Assert.Contains("\"firstCaptureTime\":\"2025-03-01T08:00:00.04+00:00\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void A_snapshot_is_an_optional_field_of_schema_2()
    {
        // A payload published before snapshots existed still reads, with no snapshot.
        var old = EventSerializer.Deserialize(EventSerializer.Serialize(Sample));
        Assert.NotNull(old);
        Assert.Null(old.Snapshot);

        var withSnapshot = Sample with
        {
            Snapshot = new StreamAnalytics.Snapshots.EventSnapshot(141, Sample.LastCaptureTime, 640, 360, 80, 41873) { Path = "/var/lib/streamanalytics/snapshots/front-door/x.jpg" },
        };
        using var json = JsonDocument.Parse(EventSerializer.Serialize(withSnapshot));
        var root = json.RootElement;

        Assert.Equal(2, root.GetProperty("schemaVersion").GetInt32());
        Assert.Equal("snapshot", root.EnumerateObject().Last().Name);
        var snapshot = root.GetProperty("snapshot");
        Assert.Equal(["contentType", "frame", "captureTime", "width", "height", "quality", "bytes", "path"], snapshot.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Equal("image/jpeg", snapshot.GetProperty("contentType").GetString());
        Assert.Equal(41873, snapshot.GetProperty("bytes").GetInt32());
        Assert.Equal(EventSerializer.ToPayload(withSnapshot), EventSerializer.Deserialize(EventSerializer.Serialize(withSnapshot)));
    }
}
