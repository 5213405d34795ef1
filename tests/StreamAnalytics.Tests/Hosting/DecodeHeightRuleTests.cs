using StreamAnalytics.Configuration;
using StreamAnalytics.Heads;
using StreamAnalytics.Heads.Motion;
using StreamAnalytics.Hosting;

namespace StreamAnalytics.Tests.Hosting;

public sealed class DecodeHeightRuleTests
{
    private const int ModelHeight = 224;
    private static readonly IHeadModule[] Heads = [new MotionHeadModule()];

    [Fact]
    public void Auto_decodes_at_the_models_height_when_nothing_needs_the_full_frame()
    {
        var options = new StreamAnalyticsOptions();
        Assert.Equal(PipelineOptions.DecodeAtNeededSize, options.Pipeline.DecodeSize);

        Assert.Equal(ModelHeight, DecodeHeightRule.For(options, new CameraOptions { Id = "a" }, Heads, ModelHeight));
    }

    [Fact]
    public void Auto_keeps_the_source_size_for_snapshots_and_for_a_motion_state_learned_on_full_frames()
    {
        var options = new StreamAnalyticsOptions();
        var motion = new CameraOptions { Id = "motion", MotionState = "state/motion.bin" };
        var ownSnapshots = new CameraOptions { Id = "pictures", Snapshot = new SnapshotOptions { Enabled = true } };

        Assert.Null(DecodeHeightRule.For(options, motion, Heads, ModelHeight));
        Assert.Null(DecodeHeightRule.For(options, ownSnapshots, Heads, ModelHeight));

        options.Detection.Snapshot.Enabled = true;
        Assert.Null(DecodeHeightRule.For(options, new CameraOptions { Id = "a" }, Heads, ModelHeight));
        // A camera's own settings replace the section's: this one turned them off.
        Assert.Equal(ModelHeight, DecodeHeightRule.For(options, new CameraOptions { Id = "b", Snapshot = new SnapshotOptions() }, Heads, ModelHeight));
    }

    [Fact]
    public void Source_and_model_are_what_they_say_whatever_the_camera_needs()
    {
        var motion = new CameraOptions { Id = "motion", MotionState = "state/motion.bin" };

        Assert.Null(DecodeHeightRule.For(new StreamAnalyticsOptions { Pipeline = new() { DecodeSize = "source" } }, new CameraOptions { Id = "a" }, Heads, ModelHeight));
        Assert.Equal(ModelHeight, DecodeHeightRule.For(new StreamAnalyticsOptions { Pipeline = new() { DecodeSize = "model" } }, motion, Heads, ModelHeight));
    }
}
