using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Observability;

namespace StreamAnalytics.Ingest;

/// <summary>
/// Drains ffmpeg's stderr so a chatty decoder can never block on a full pipe, keeps the last line for
/// the error report, and logs through the camera's rate limiter (a broken stream can print thousands
/// of lines, and a camera can restart its decoder every few seconds).
/// </summary>
internal sealed partial class FfmpegStderrPump(StreamReader reader, string cameraId, ILogger logger, LogRateLimiter limiter)
{
    public string? LastLine { get; private set; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (line.Length == 0)
                {
                    continue;
                }

                var safe = CredentialRedactor.Redact(line.Length > 400 ? line[..400] : line);
                LastLine = safe;
                var allowed = limiter.TryAcquire(out var suppressed);
                if (suppressed > 0)
                {
                    LogSuppressed(cameraId, suppressed);
                }

                if (allowed)
                {
                    LogLine(cameraId, safe);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The session ended.
        }
        catch (IOException)
        {
            // The process went away mid-line.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {CameraId}: ffmpeg: {Line}")]
    private partial void LogLine(string cameraId, string line);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camera {CameraId}: {Count} more ffmpeg lines suppressed in the last minute")]
    private partial void LogSuppressed(string cameraId, int count);
}
