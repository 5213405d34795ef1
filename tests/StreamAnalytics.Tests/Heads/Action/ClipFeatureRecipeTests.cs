using StreamAnalytics.Heads.Action;
using StreamAnalytics.Inference;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Heads.Action;

public sealed class ClipFeatureRecipeTests
{
    /// <summary>C = 2 channels, S = 2 cells; a frame is [e0, e1, m(k0,s0), m(k0,s1), m(k1,s0), m(k1,s1)].</summary>
    private static readonly ClipFeatureRecipe Tiny = new(ClipFeatureRecipe.TemporalStatsV1, embeddingOffset: 0, channels: 2, mapOffset: 2, cells: 2);

    private static readonly FrameTensorFormat Format = new(8, 8, ColorOrder.Rgb, 1f, [0, 0, 0], [1, 1, 1]);

    private static readonly float[][] TinyFrames =
    [
        [1, 0, 0, 1, 2, 0],
        [0, 1, 1, 1, 2, 2],
        [1, 1, 3, 1, 0, 2],
    ];

    [Fact]
    public void The_feature_length_is_eight_per_channel_plus_four()
    {
        var resnet = new ClipFeatureRecipe(ClipFeatureRecipe.TemporalStatsV1, 0, 512, 512, 49);

        Assert.Equal(4100, resnet.FeatureLength);
        Assert.Equal(20, Tiny.FeatureLength);
    }

    [Fact]
    public void Features_follow_the_documented_definition()
    {
        var features = new float[Tiny.FeatureLength];

        Tiny.Compute(TinyFrames, features);

        // Worked by hand from the definition in ClipFeatureRecipe's summary.
        var third = Math.Sqrt(2) / 3;
        double[] expected =
        [
            2 / 3.0, 2 / 3.0, third, third,             // mean e, std e
            1, 0.5, 1, 0.5,                             // mean |d|, std d: d = (−1, 1), (1, 0)
            (1 + (1 - Math.Sqrt(0.5))) / 2, Math.Sqrt(0.5) / 2, 1, 1 - Math.Sqrt(0.5), // cosine distances 1 and 1 − 1/√2
            1.5, 2, 0.5, 0,                             // mean a, std a: a = (1, 2), (2, 2)
            1, 0, 1, 0,                                 // mean |g|, std g: x = (1, 2), (1, 2), (3, 2)
        ];
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - features[i]) < 1e-6, $"feature {i}: expected {expected[i]}, got {features[i]}");
        }
    }

    [Fact]
    public void Identical_inputs_give_bitwise_identical_features()
    {
        var recipe = new ClipFeatureRecipe(ClipFeatureRecipe.TemporalStatsV1, 0, 512, 512, 49);
        var random = new Random(7);
        var frames = Enumerable.Range(0, 32).Select(_ => Enumerable.Range(0, 512 + (512 * 49)).Select(_ => (float)random.NextDouble()).ToArray()).ToList();
        var copies = frames.Select(f => f.ToArray()).ToList();
        var first = new float[recipe.FeatureLength];
        var second = new float[recipe.FeatureLength];

        recipe.Compute(frames, first);
        recipe.Compute(copies, second);

        Assert.Equal(first, second);
        Assert.All(first, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void The_recipe_finds_its_inputs_by_role_wherever_the_backbone_puts_them()
    {
        // The same tiny frames with the map first and the embedding last.
        var manifest = new ModelManifest("net", "1", "/m.json", "/m.onnx", new ModelInputSpec("x", TensorLayout.Nchw, 1, Format),
            [new ModelOutputSpec("map", OutputRole.FeatureMap, []), new ModelOutputSpec("pooled", OutputRole.Embedding, [])]);
        var reordered = ClipFeatureRecipe.ForBackbone(ClipFeatureRecipe.TemporalStatsV1, manifest, [4, 2]);
        var frames = TinyFrames.Select(f => (float[])[.. f[2..], .. f[..2]]).ToList();
        var expected = new float[Tiny.FeatureLength];
        var actual = new float[reordered.FeatureLength];

        Tiny.Compute(TinyFrames, expected);
        reordered.Compute(frames, actual);

        Assert.Equal(2, reordered.Channels);
        Assert.Equal(2, reordered.Cells);
        Assert.Equal(expected, actual);
    }

    [Fact]
    public void A_backbone_without_a_feature_map_cannot_feed_the_recipe()
    {
        var manifest = new ModelManifest("net", "1", "/m.json", "/m.onnx", new ModelInputSpec("x", TensorLayout.Nchw, 1, Format),
            [new ModelOutputSpec("pooled", OutputRole.Embedding, [])]);

        var ex = Assert.Throws<ModelManifestException>(() => ClipFeatureRecipe.ForBackbone(ClipFeatureRecipe.TemporalStatsV1, manifest, [512]));

        Assert.Contains(ex.Problems, p => p.Contains("featureMap", StringComparison.Ordinal) && p.Contains("'pooled'", StringComparison.Ordinal));
    }

    [Fact]
    public void One_frame_is_not_enough()
    {
        var ex = Assert.Throws<ArgumentException>(() => Tiny.Compute(TinyFrames[..1], new float[Tiny.FeatureLength]));

        Assert.Contains("at least 2 frames", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_clip_no_longer_than_T_is_taken_whole_without_repeating_frames()
    {
        foreach (var offset in ClipFeatureRecipe.ViewOffsets)
        {
            Assert.Equal([0, 1, 2, 3, 4], ClipFeatureRecipe.SampleIndices(5, 32, offset));
            Assert.Equal(Enumerable.Range(0, 32), ClipFeatureRecipe.SampleIndices(32, 32, offset));
        }
    }

    [Fact]
    public void A_longer_clip_is_sampled_evenly_at_each_view_offset()
    {
        Assert.Equal([1, 5, 9, 13], ClipFeatureRecipe.SampleIndices(16, 4, 0.3)); // ⌊(t + 0.3)·4⌋
        foreach (var offset in ClipFeatureRecipe.ViewOffsets)
        {
            var indices = ClipFeatureRecipe.SampleIndices(60, 32, offset);
            Assert.Equal(32, indices.Length);
            Assert.True(indices[0] >= 0 && indices[^1] <= 59);
            Assert.True(indices.Zip(indices.Skip(1)).All(p => p.Second > p.First), string.Join(",", indices));
        }

        Assert.NotEqual(ClipFeatureRecipe.SampleIndices(60, 32, 0.1), ClipFeatureRecipe.SampleIndices(60, 32, 0.9));
    }
}
