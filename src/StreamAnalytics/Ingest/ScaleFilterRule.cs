using StreamAnalytics.Configuration;

namespace StreamAnalytics.Ingest;

/// <summary>Whether ffmpeg scales a camera by area (<see cref="CameraOptions.ScaleFilter"/>) rather than bicubic.</summary>
internal static class ScaleFilterRule
{
    /// <param name="sourceHeight">The probed source height; null when the camera's size is configured and nothing was probed.</param>
    public static bool Resolve(string setting, int decodedHeight, int? sourceHeight) => setting switch
    {
        CameraOptions.ScaleArea => true,

        // Where each output pixel covers 2x2 source pixels or more, as in the product's own downscales (OpenCV's
        // INTER_AREA). A mild shrink, such as Ped2's 360x240 to the model's 224 rows where every head was measured,
        // stays bicubic, as it was then.
        CameraOptions.ScaleAuto => FastDecodeRule.ShrinksToHalfOrLess(decodedHeight, sourceHeight),
        _ => false,
    };
}
