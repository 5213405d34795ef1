using System.Diagnostics.CodeAnalysis;
using StreamAnalytics.Observability;

namespace StreamAnalytics.Ingest;

/// <summary>Where a camera's video comes from, parsed once; <see cref="Display"/> is safe to log.</summary>
public sealed record CameraSource(CameraSourceKind Kind, string Input, string Display)
{
    public static bool TryParse(string url, [NotNullWhen(true)] out CameraSource? source, [NotNullWhen(false)] out string? error)
    {
        source = null;
        error = null;
        var trimmed = url.Trim();
        var schemeEnd = trimmed.IndexOf("://", StringComparison.Ordinal);
        if (schemeEnd < 0)
        {
            source = new CameraSource(CameraSourceKind.File, trimmed, trimmed);
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

                source = new CameraSource(CameraSourceKind.Rtsp, trimmed, CredentialRedactor.Redact(trimmed));
                return true;
            case "file":
                if (!Uri.TryCreate(trimmed, UriKind.Absolute, out var fileUri) || !fileUri.IsFile)
                {
                    error = $"'{trimmed}' is not a valid file URL.";
                    return false;
                }

                source = new CameraSource(CameraSourceKind.File, fileUri.LocalPath, fileUri.LocalPath);
                return true;
            default:
                error = $"scheme '{scheme}' is not supported (use rtsp://, rtsps://, file:// or a file path).";
                return false;
        }
    }
}
