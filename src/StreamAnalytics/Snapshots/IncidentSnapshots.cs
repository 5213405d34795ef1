using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;

namespace StreamAnalytics.Snapshots;

/// <summary>
/// Turns an incident's peak frame into what its events carry, by the camera's snapshot settings: a JPEG file
/// in the snapshot folder, or base64 in the event. Each frame is encoded once however many messages carry it.
/// </summary>
/// <param name="cameras">The cameras by id (a live view: cameras added at run time bring their own settings).</param>
internal sealed partial class IncidentSnapshots(SnapshotOptions pipeline, IReadOnlyDictionary<string, CameraOptions> cameras, ILogger logger)
{
    public const string TooLarge = "larger than MaxBytes at every quality and size tried";

    public SnapshotOptions OptionsFor(string cameraId) =>
        cameras.TryGetValue(cameraId, out var camera) && camera.Snapshot is { } own ? own : pipeline;

    /// <summary>The snapshot for an event of this camera; null when the incident has no peak frame (snapshots off).</summary>
    public EventSnapshot? Describe(string cameraId, SnapshotFrame? frame)
    {
        if (frame is null)
        {
            return null;
        }

        if (frame.Encoded is { } done)
        {
            return done;
        }

        var options = OptionsFor(cameraId);
        SnapshotEncoder.Result encoded;
        try
        {
            encoded = SnapshotEncoder.Encode(frame, options.Quality, options.MaxBytes);
        }
        catch (OpenCvSharp.OpenCVException ex)
        {
            // A picture is an extra: the event goes out without it rather than stopping detection.
            LogEncodeFailed(cameraId, frame.Sequence, ex.Message);
            frame.Encoded = new EventSnapshot(frame.Sequence, frame.CaptureTime, frame.Width, frame.Height, options.Quality, 0) { Omitted = "could not be encoded: " + ex.Message };
            return frame.Encoded;
        }

        var snapshot = new EventSnapshot(frame.Sequence, frame.CaptureTime, encoded.Width, encoded.Height, encoded.Quality, encoded.Jpeg?.Length ?? 0);
        if (encoded.Jpeg is not { } jpeg)
        {
            LogTooLarge(cameraId, frame.Sequence, options.MaxBytes);
            snapshot = snapshot with { Omitted = TooLarge };
        }
        else if (options.Mode == SnapshotOptions.Base64Mode)
        {
            snapshot = snapshot with { Data = Convert.ToBase64String(jpeg) };
        }
        else
        {
            try
            {
                snapshot = snapshot with { Path = Write(options.Directory, cameraId, frame, jpeg) };
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogWriteFailed(cameraId, options.Directory, ex.Message);
                snapshot = snapshot with { Bytes = 0, Omitted = "could not be written: " + ex.Message };
            }
        }

        frame.Encoded = snapshot;
        return snapshot;
    }

    /// <summary>Named by camera, capture time and frame, so a file is never overwritten by another incident's, across restarts too.</summary>
    private static string Write(string directory, string cameraId, SnapshotFrame frame, byte[] jpeg)
    {
        var folder = Path.GetFullPath(Path.Combine(directory, cameraId));
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{frame.CaptureTime.UtcDateTime:yyyyMMdd'T'HHmmss'.'fff'Z'}-{frame.Sequence}.jpg");

        // Written whole, then renamed: a consumer that follows the event's path never reads half a file.
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, jpeg);
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {CameraId}: the snapshot of frame {Frame} does not fit {MaxBytes} bytes; the event goes without it")]
    private partial void LogTooLarge(string cameraId, long frame, int maxBytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {CameraId}: the snapshot of frame {Frame} could not be encoded: {Reason}")]
    private partial void LogEncodeFailed(string cameraId, long frame, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {CameraId}: a snapshot could not be written to {Directory}: {Reason}")]
    private partial void LogWriteFailed(string cameraId, string directory, string reason);
}
