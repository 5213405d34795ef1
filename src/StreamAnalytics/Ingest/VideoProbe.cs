using System.Globalization;
using System.Text.Json;
using StreamAnalytics.Configuration;

namespace StreamAnalytics.Ingest;

/// <summary>Asks ffprobe for a source's size and frame rate, so decode size can default to the source's.</summary>
internal static class VideoProbe
{
    public static async Task<VideoGeometry> ProbeAsync(CameraSource source, CameraOptions camera, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var process = ChildProcess.Start("ffprobe", FfmpegArguments.Probe(source, camera), redirectStdout: true);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            var stdout = process.StandardOutput.ReadToEndAsync(deadline.Token);
            var stderr = process.StandardError.ReadToEndAsync(deadline.Token);
            await process.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            var output = await stdout.ConfigureAwait(false);
            var errors = await stderr.ConfigureAwait(false);
            return Parse(output) ?? throw new VideoSourceException(
                $"no video stream found{(string.IsNullOrWhiteSpace(errors) ? string.Empty : ": " + FirstLine(errors))}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new VideoSourceException($"ffprobe did not answer within {timeout.TotalSeconds:0} s");
        }
        finally
        {
            ChildProcess.KillQuietly(process);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            ChildProcess.ClosePipes(process);
        }
    }

    internal static VideoGeometry? Parse(string json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        if (!document.RootElement.TryGetProperty("streams", out var streams) || streams.GetArrayLength() == 0)
        {
            return null;
        }

        var stream = streams[0];
        if (!stream.TryGetProperty("width", out var w) || !stream.TryGetProperty("height", out var h) || w.GetInt32() <= 0 || h.GetInt32() <= 0)
        {
            return null;
        }

        var fps = ParseRate(stream, "avg_frame_rate") ?? ParseRate(stream, "r_frame_rate");
        return new VideoGeometry(w.GetInt32(), h.GetInt32(), fps);
    }

    private static double? ParseRate(JsonElement stream, string property)
    {
        if (!stream.TryGetProperty(property, out var value) || value.GetString() is not { } text)
        {
            return null;
        }

        var slash = text.IndexOf('/');
        if (slash < 0 || !double.TryParse(text[..slash], NumberStyles.Float, CultureInfo.InvariantCulture, out var num)
            || !double.TryParse(text[(slash + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var den) || den == 0 || num <= 0)
        {
            return null;
        }

        var rate = num / den;
        return rate is > 0 and < 1000 ? rate : null;
    }

    private static string FirstLine(string text) =>
        CredentialRedactor.Redact(text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? string.Empty);
}
