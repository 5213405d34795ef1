using System.Diagnostics.CodeAnalysis;
using StreamAnalytics.Configuration;

namespace StreamAnalytics.Ingest;

/// <summary>Where a camera's video comes from, parsed once; <see cref="Display"/> is safe to log.</summary>
internal sealed record CameraSource(CameraSourceKind Kind, string Input, string Display)
{
    /// <remarks>The rule itself lives in Configuration, so the validator rejects at start exactly what this would.</remarks>
    public static bool TryParse(string url, [NotNullWhen(true)] out CameraSource? source, [NotNullWhen(false)] out string? error)
    {
        if (!CameraUrl.TryParse(url, out var parsed, out error))
        {
            source = null;
            return false;
        }

        source = new CameraSource(parsed.IsRtsp ? CameraSourceKind.Rtsp : CameraSourceKind.File, parsed.Input, parsed.Display);
        return true;
    }
}
