using System.Diagnostics.CodeAnalysis;

namespace StreamAnalytics.Configuration;

/// <summary>
/// The one rule for what a camera's Url may be: the validator reports a bad one at start and Ingest opens a good one,
/// so both must agree on it.
/// </summary>
/// <param name="IsRtsp">True for rtsp:// and rtsps:// streams; false for a video file.</param>
/// <param name="Input">What ffmpeg opens: the URL as written, or the local path of a file.</param>
/// <param name="Display">The URL with its credentials masked.</param>
internal sealed record CameraUrl(bool IsRtsp, string Input, string Display)
{
    public static bool TryParse(string url, [NotNullWhen(true)] out CameraUrl? parsed, [NotNullWhen(false)] out string? error)
    {
        parsed = null;
        error = null;
        var trimmed = url.Trim();
        var schemeEnd = trimmed.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            parsed = new CameraUrl(false, trimmed, trimmed);
            return true;
        }

        var scheme = trimmed[..schemeEnd].ToLowerInvariant();
        switch (scheme)
        {
            case "rtsp" or "rtsps":
                if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
                {
                    error = $"'{CredentialRedactor.Redact(trimmed)}' is not a valid {scheme} URL (expected {scheme}://[user:password@]host[:port]/path; write '@' in a password as %40).";
                    return false;
                }

                parsed = new CameraUrl(true, trimmed, CredentialRedactor.Redact(trimmed));
                return true;
            case "file":
                if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var fileUri) || !fileUri.IsFile)
                {
                    error = $"'{trimmed}' is not a valid file URL.";
                    return false;
                }

                parsed = new CameraUrl(false, fileUri.LocalPath, fileUri.LocalPath);
                return true;
            default:
                error = $"scheme '{scheme}' is not supported (use rtsp://, rtsps://, file:// or a file path).";
                return false;
        }
    }
}
