using System.Text.Json.Serialization;

namespace StreamAnalytics.Publishing;

/// <summary>
/// The peak frame of an incident as JPEG: <see cref="Path"/> (path mode) or <see cref="Data"/> (base64 mode);
/// neither, and <see cref="Omitted"/> says why, when it did not fit <c>MaxBytes</c> or could not be written.
/// </summary>
/// <param name="Frame">Decode sequence number of the frame shown (the last frame of the incident's peak window).</param>
/// <param name="Bytes">Size of the JPEG file or of the decoded <see cref="Data"/>; 0 when omitted.</param>
internal sealed record EventSnapshotPayload(string ContentType, long Frame, DateTimeOffset CaptureTime, int Width, int Height, int Quality, int Bytes)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Path { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Data { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Omitted { get; init; }
}
