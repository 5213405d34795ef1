using StreamAnalytics.Configuration;

namespace StreamAnalytics.Ingest;

/// <summary>Whether a camera decodes fast (<see cref="CameraOptions.FastDecode"/>): skipping H.264/HEVC deblocking.</summary>
internal static class FastDecodeRule
{
    /// <param name="sourceHeight">The probed source height; null when the camera's size is configured and nothing was probed.</param>
    public static bool Resolve(string setting, int decodedHeight, int? sourceHeight) => setting switch
    {
        CameraOptions.FastDecodeOn => true,

        // Half the height or less: each output pixel averages at least 2x2 source pixels, across the block edges
        // deblocking would have smoothed. An unknown source size is decoded exactly.
        CameraOptions.FastDecodeAuto => ShrinksToHalfOrLess(decodedHeight, sourceHeight),
        _ => false,
    };

    /// <summary>Whether the decoded frame is half the source height or less; an unknown source size is not.</summary>
    public static bool ShrinksToHalfOrLess(int decodedHeight, int? sourceHeight) => sourceHeight is { } source && decodedHeight * 2 <= source;
}
