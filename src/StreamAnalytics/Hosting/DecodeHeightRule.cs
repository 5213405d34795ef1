using StreamAnalytics.Configuration;
using StreamAnalytics.Heads;

namespace StreamAnalytics.Hosting;

/// <summary><c>Pipeline.DecodeSize</c> for one camera: the height ffmpeg scales its frames to, or null for the source's own.</summary>
internal static class DecodeHeightRule
{
    public static int? For(StreamAnalyticsOptions options, CameraOptions camera, IEnumerable<IHeadModule> heads, int modelHeight) =>
        options.Pipeline.DecodeSize switch
        {
            PipelineOptions.DecodeAtModelSize => modelHeight,
            // Snapshots are wanted at up to Snapshot.MaxWidth (640 by default), more than the model's size gives.
            PipelineOptions.DecodeAtNeededSize when !(camera.Snapshot ?? options.Detection.Snapshot).Enabled
                && !heads.Any(h => h.NeedsSourceResolution(camera)) => modelHeight,
            _ => null,
        };
}
