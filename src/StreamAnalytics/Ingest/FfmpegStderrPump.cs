using Microsoft.Extensions.Logging;
using StreamAnalytics.Observability;

namespace StreamAnalytics.Ingest;

/// <summary>
/// Drains ffmpeg's stderr so a chatty decoder can never block on a full pipe, keeps the last line for
/// the error report, and logs at most a few lines a minute (a broken stream can print thousands).
/// </summary>
internal sealed partial class FfmpegStderrPump(StreamReader reader, string cameraId, ILogger logger, TimeProvider time)
{
    private const int LinesPerMinute = 5;
    private static readonly TimeSpan Period = TimeSpan.FromMinutes(1);
    private long _periodStart = time.GetTimestamp();
    private int _linesInPeriod;
    private int _suppressed;

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
                if (time.GetElapsedTime(_periodStart) >= Period)
                {
                    if (_suppressed > 0)
                    {
                        LogSuppressed(cameraId, _suppressed);
                    }

                    _periodStart = time.GetTimestamp();
                    _linesInPeriod = 0;
                    _suppressed = 0;
                }

                if (++_linesInPeriod <= LinesPerMinute)
                {
                    LogLine(cameraId, safe);
                }
                else
                {
                    _suppressed++;
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
