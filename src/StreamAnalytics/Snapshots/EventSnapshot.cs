namespace StreamAnalytics.Snapshots;

/// <summary>
/// The JPEG of an incident's peak as an event carries it: a file path or base64 data, or, when it could not
/// be made to fit <c>MaxBytes</c> or written, neither and the reason in <see cref="Omitted"/>.
/// </summary>
/// <param name="Frame">Decode sequence number of the frame shown.</param>
/// <param name="Bytes">Size of the JPEG; 0 when omitted.</param>
internal sealed record EventSnapshot(long Frame, DateTimeOffset CaptureTime, int Width, int Height, int Quality, int Bytes)
{
    public string? Path { get; init; }

    public string? Data { get; init; }

    public string? Omitted { get; init; }
}
