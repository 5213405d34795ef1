namespace StreamAnalytics.Configuration;

/// <summary>
/// Optional JPEG of an incident's peak, attached to its events. Off by default: frames leave the process
/// only when an operator asks for it, and only after the camera's masks and zones were applied.
/// </summary>
internal sealed class SnapshotOptions
{
    public const string PathMode = "path";
    public const string Base64Mode = "base64";

    public bool Enabled { get; set; }

    /// <summary><c>path</c>: the JPEG is written to <see cref="Directory"/> and the event names the file; <c>base64</c>: the JPEG travels inside the event.</summary>
    public string Mode { get; set; } = PathMode;

    /// <summary>Folder for <c>path</c> mode; relative paths are against the working folder. Nothing here prunes it.</summary>
    public string Directory { get; set; } = "state/snapshots";

    /// <summary>Largest JPEG, in bytes (before base64). Larger ones are re-encoded at lower quality, then smaller, or left out.</summary>
    public int MaxBytes { get; set; } = 131_072;

    /// <summary>JPEG quality (1 to 100) of the first attempt.</summary>
    public int Quality { get; set; } = 80;

    /// <summary>
    /// Frames wider than this are scaled down (aspect kept) when kept for a snapshot, which bounds the memory that
    /// windows waiting for inference hold. Unset: the decode width.
    /// </summary>
    public int? MaxWidth { get; set; } = 640;
}
