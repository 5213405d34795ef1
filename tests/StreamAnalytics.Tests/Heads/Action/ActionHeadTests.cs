using Microsoft.Extensions.Logging.Abstractions;
using Prometheus;
using StreamAnalytics.Configuration;
using StreamAnalytics.Contracts;
using StreamAnalytics.Heads.Action;
using StreamAnalytics.Inference;
using StreamAnalytics.Ingest;
using StreamAnalytics.Observability;
using StreamAnalytics.Tests.Fakes;
using StreamAnalytics.Tools;
using StreamAnalytics.Tools.Actions;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Heads.Action;

[Collection(ActionHeadCollection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class ActionHeadTests(ActionHeadFixture fixture) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void The_shipped_head_pairs_with_the_resnet18_feature_map_backbone()
    {
        var head = fixture.Head;

        Assert.Equal([512, 512 * 7 * 7], fixture.Backbone.OutputItemSizes);
        Assert.Equal(ClipFeatureRecipe.TemporalStatsV1, head.Recipe.Id);
        Assert.Equal(512, head.Recipe.Channels);
        Assert.Equal(49, head.Recipe.Cells);
        Assert.Equal(4100, head.Recipe.FeatureLength);
        Assert.Equal(32, head.Frames);
        Assert.Equal(["fight", "noFight"], head.Labels);
        Assert.Contains(fixture.Logger.Entries, e => e.Message.Contains("exposed intermediate tensor(s) ReLU393_Output_0", StringComparison.Ordinal));
    }

    [Fact]
    public void Exposing_the_feature_map_leaves_the_embedding_as_it_was_and_pools_to_it()
    {
        using var plain = OnnxModel.Load(ModelManifestLoader.Load(ResNet18.ManifestPath), "cpu", 0, 0, 1, new CapturingLogger());
        var random = new Random(3);
        var input = Enumerable.Range(0, plain.Manifest.Input.ItemElementCount).Select(_ => (float)((random.NextDouble() * 255) - 120)).ToArray();
        input.CopyTo(plain.InputItem(0));
        input.CopyTo(fixture.Backbone.InputItem(0));

        plain.Run(1);
        fixture.Backbone.Run(1);

        var embedding = plain.OutputItem(0, 0).ToArray();
        var same = fixture.Backbone.OutputItem(0, 0).ToArray();
        var map = fixture.Backbone.OutputItem(1, 0).ToArray();
        for (var k = 0; k < 512; k++)
        {
            Assert.Equal(embedding[k], same[k], 4);

            // The network's last layer is a 7x7 average pool of this map: proof that it is the right tensor.
            Assert.Equal(embedding[k], map.AsSpan(k * 49, 49).ToArray().Average(), 3);
        }
    }

    [Fact]
    public void A_backbone_without_a_feature_map_is_refused_naming_both_manifests()
    {
        using var plain = OnnxModel.Load(ModelManifestLoader.Load(ResNet18.ManifestPath), "cpu", 0, 0, 1, new CapturingLogger());

        var ex = Assert.Throws<ModelManifestException>(() =>
            ActionHead.Load(ModelManifestLoader.Load(ActionHeadFixture.HeadManifestPath), plain, "cpu", 0, 0, 1, new CapturingLogger()));

        Assert.Equal(Path.GetFullPath(ActionHeadFixture.HeadManifestPath), ex.ManifestPath);
        Assert.Contains(ex.Problems, p => p.Contains(ResNet18.ManifestPath, StringComparison.Ordinal) && p.Contains("featureMap", StringComparison.Ordinal));
    }

    [Fact]
    public void A_head_trained_on_another_backbone_is_refused()
    {
        var onnx = Path.Combine(Path.GetDirectoryName(ActionHeadFixture.HeadManifestPath)!, "head.onnx");
        var path = _dir.Write("model.json", $$"""
            {
              "name": "fight-detector", "version": "1.0.0", "file": "{{onnx}}",
              "input": { "name": "features", "layout": "features", "recipe": "temporal-stats-v1",
                         "backbone": "efficientnet-b0", "frames": 32, "length": 4100 },
              "outputs": [ { "name": "logits", "role": "classLogits", "labels": ["fight", "noFight"] } ]
            }
            """);

        var ex = Assert.Throws<ModelManifestException>(() => ActionHead.Load(ModelManifestLoader.Load(path), fixture.Backbone, "cpu", 0, 0, 1, new CapturingLogger()));

        Assert.Contains(ex.Problems, p => p.Contains("'efficientnet-b0'", StringComparison.Ordinal) && p.Contains("'resnet18-imagenet'", StringComparison.Ordinal));
    }

    [Fact]
    public void Probabilities_are_a_distribution_and_repeatable()
    {
        var random = new Random(11);
        var features = Enumerable.Range(0, 4100).Select(_ => (float)random.NextDouble()).ToArray();

        var first = fixture.Head.Probabilities(features);
        var second = fixture.Head.Probabilities(features);

        Assert.Equal(first, second);
        Assert.Equal(1.0, first.Sum(), 5);
        Assert.All(first, p => Assert.InRange(p, 0f, 1f));
    }

    /// <summary>
    /// The live path (camera windowing → inference stage → the recipe on the window's frame slots) and the
    /// offline command path (ClipEmbedder's view of the same frames) give the same probabilities. The clip
    /// has 20 frames, fewer than T, so the offline view is exactly all of them: a live window of 20.
    /// </summary>
    [Fact]
    public async Task A_live_window_scores_like_the_offline_view_of_the_same_frames()
    {
        var clip = SharedData.Path("surveillance-fight", "noFight", "nofi102.mp4");
        using var embedder = new ClipEmbedder(fixture.Backbone, NullLogger<CameraReader>.Instance);
        var offline = await embedder.EmbedAsync(clip, fixture.Head.Frames, mirrored: false, CancellationToken.None);
        var view = offline.Views[0];
        Assert.Equal(20, view.Frames.Count);
        var features = new float[fixture.Head.Recipe.FeatureLength];
        fixture.Head.Recipe.Compute(view.Frames, features);
        var offlineProbabilities = fixture.Head.Probabilities(features);

        var windows = await LiveWindowsAsync(clip, new WindowSchedule(20, 0, 20));
        var window = Assert.Single(windows);
        var stage = new InferenceStage(fixture.Backbone, new PipelineMetrics(Metrics.NewCustomRegistry()), new CapturingLogger());
        await stage.InferAsync(windows, CancellationToken.None);
        var live = fixture.Head.Probabilities(window);
        window.Release();

        for (var i = 0; i < live.Length; i++)
        {
            Assert.Equal(offlineProbabilities[i], live[i], 5);
        }
    }

    /// <summary>
    /// The head wired into the pipeline: a live window of T = 32 frames (camera windowing → the inference stage
    /// that runs the head → <see cref="WindowInference.Heads"/>) gets the fight probability that the offline
    /// command path (ClipEmbedder's view → ActionHead) gives the same 32 frames. The clip is a real fight clip cut
    /// to its first 64 frames by stream copy (the original's pixels), so the offline view at offset 0.1 takes
    /// frames 0, 2, …, 62: exactly what a camera with Subsample 1, the documented live setting, samples.
    /// </summary>
    [Fact]
    public async Task The_inference_stage_gives_a_32_frame_window_the_offline_fight_probability()
    {
        var clip = await FirstFramesAsync(SharedData.Path("surveillance-fight", "fight", "fi012.mp4"), 64);
        using var embedder = new ClipEmbedder(fixture.Backbone, NullLogger<CameraReader>.Instance);
        var offline = await embedder.EmbedAsync(clip, fixture.Head.Frames, mirrored: false, CancellationToken.None);
        Assert.Equal(64, offline.DecodedFrames);
        var view = Assert.Single(offline.Views, v => v.Offset == 0.1);
        var features = new float[fixture.Head.Recipe.FeatureLength];
        fixture.Head.Recipe.Compute(view.Frames, features);
        var expected = fixture.Head.Probabilities(features);

        var windows = await LiveWindowsAsync(clip, new WindowSchedule(32, 1, 32));
        var metrics = new PipelineMetrics(Metrics.NewCustomRegistry());
        // Thresholds for both labels, so the head reports both probabilities.
        var rule = new ActionRule(new ActionOptions { DefaultThreshold = 0.5 });
        using var head = new ActionWindowHead(fixture.Head, rule, metrics.InferenceDuration.WithLabels(fixture.Head.Manifest.Name));
        var stage = new InferenceStage(fixture.Backbone, metrics, new CapturingLogger(), heads: [head]);
        var window = Assert.Single(windows);
        Assert.Equal(32, window.Length);
        Assert.Equal(window.FirstSequence + 62, window.LastSequence);
        var result = Assert.Single(await stage.InferAsync(windows, CancellationToken.None));
        window.Release();

        Assert.Equal(["fight", "noFight"], result.Heads.Select(h => h.Label));
        Assert.All(result.Heads, h => Assert.Equal((fixture.Head.Manifest.Name, fixture.Head.Manifest.Version, HeadKind.Action), (h.Head, h.Version, h.Kind)));
        var live = result.Heads[0].Score;
        Assert.Equal(expected[0], live, 1e-4);
        Assert.Equal(1, result.Heads.Sum(h => h.Score), 1e-5);
        Assert.True(result.Heads[0].Above, $"a fight clip's window scored fight {live}");

        // The window carries the pooled embedding for the anomaly detector, not the 25,088-value map.
        Assert.Equal(512, result.Outputs[0].Length);
        Assert.Empty(result.Outputs[1]);
        Assert.Equal(1, metrics.InferenceDuration.WithLabels(fixture.Head.Manifest.Name).Count);
    }

    /// <summary>The first <paramref name="frames"/> frames of a video, stream-copied (no re-encoding) into the test's folder.</summary>
    private async Task<string> FirstFramesAsync(string source, int frames)
    {
        var path = _dir.File(Path.GetFileNameWithoutExtension(source) + $"-{frames}.mp4");
        await FfmpegTool.RunAsync("-i", source, "-map", "0:v:0", "-frames:v", frames.ToString(System.Globalization.CultureInfo.InvariantCulture), "-c", "copy", path);
        return path;
    }

    /// <summary>The windows a live camera with this schedule builds from the clip's frames (the caller releases them).</summary>
    private async Task<List<Window>> LiveWindowsAsync(string clip, WindowSchedule schedule)
    {
        using var windowing = new CameraWindowing("cam", schedule, fixture.Backbone.Manifest.Input.Format, metrics: null);
        var windows = new List<Window>();
        FramePool? copies = null;
        await OfflineVideo.DecodeAsync(clip, decoded =>
        {
            // Windowing disposes the frame it is given, and OfflineVideo disposes the decoder's frame once this returns,
            // by when the decoder may have rented it again: a second dispose would hand out a frame in use. So windowing
            // gets a copy from a pool of its own.
            copies ??= new FramePool("cam", decoded.Width, decoded.Height);
            var frame = copies.Rent();
            decoded.Pixels.CopyTo(frame.Pixels);
            frame.Sequence = decoded.Sequence;
            frame.CaptureTime = decoded.CaptureTime;
            frame.FirstOfSession = decoded.FirstOfSession;
            if (windowing.Process(frame) is { } window)
            {
                windows.Add(window);
            }
        }, NullLogger<CameraReader>.Instance, CancellationToken.None);
        return windows;
    }
}
