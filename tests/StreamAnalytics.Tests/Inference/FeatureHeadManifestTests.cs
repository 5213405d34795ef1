using StreamAnalytics.Heads.Action;
using StreamAnalytics.Inference;
using StreamAnalytics.Tests.Fakes;

namespace StreamAnalytics.Tests.Inference;

public sealed class FeatureHeadManifestTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_features_head_manifest_is_parsed()
    {
        _dir.Write("head.onnx", "not really onnx; the loader only checks that it exists");
        var path = _dir.Write("model.json", """
            {
              "name": "fight-detector", "version": "1.0.0", "file": "head.onnx",
              "input": { "name": "features", "layout": "features", "recipe": "temporal-stats-v1",
                         "backbone": "resnet18-imagenet", "frames": 32, "length": 4100 },
              "outputs": [ { "name": "logits", "role": "classLogits", "labels": ["fight", "noFight"] } ]
            }
            """);

        var manifest = ModelManifestLoader.Load(path);

        Assert.Equal(TensorLayout.Features, manifest.Input.Layout);
        Assert.Equal(32, manifest.Input.Frames);
        Assert.Equal(new FeatureInputSpec("temporal-stats-v1", "resnet18-imagenet", 4100), manifest.Input.Features);
        Assert.Equal([4100], manifest.Input.ItemShape);
        Assert.Null(manifest.Input.FrameFormat);
        Assert.Throws<InvalidOperationException>(() => manifest.Input.Format);
        Assert.Equal(["fight", "noFight"], manifest.Outputs[0].Labels);
    }

    [Fact]
    public void Every_problem_of_a_features_input_is_reported_at_once()
    {
        _dir.Write("head.onnx", "x");
        var path = _dir.Write("model.json", """
            {
              "name": "h", "version": "1", "file": "head.onnx",
              "input": { "name": "features", "layout": "features", "recipe": "mean-v0", "frames": 1, "width": 224 },
              "outputs": [ { "name": "logits", "role": "classLogits", "labels": ["a", "b"] } ]
            }
            """);

        var ex = Assert.Throws<ModelManifestException>(() => ModelManifestLoader.Load(path));

        Assert.Contains(ex.Problems, p => p.Contains("'mean-v0'", StringComparison.Ordinal) && p.Contains("temporal-stats-v1", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("input.backbone", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("input.frames", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.StartsWith("input.length", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.Contains("do not apply to layout features", StringComparison.Ordinal));
    }

    [Fact]
    public void A_frame_model_may_not_declare_feature_fields()
    {
        _dir.Write("m.onnx", "x");
        var path = _dir.Write("model.json", """
            { "name": "m", "version": "1", "file": "m.onnx",
              "input": { "name": "x", "layout": "NCHW", "width": 8, "height": 8, "colorOrder": "RGB", "recipe": "temporal-stats-v1" },
              "outputs": [ { "name": "y", "role": "embedding" } ] }
            """);

        var ex = Assert.Throws<ModelManifestException>(() => ModelManifestLoader.Load(path));

        Assert.Contains(ex.Problems, p => p.Contains("belong to layout 'features' only", StringComparison.Ordinal));
    }

    [Fact]
    public void The_shipped_fight_head_manifest_declares_what_its_recipe_computes()
    {
        var manifest = ModelManifestLoader.Load(ActionHeadFixture.HeadManifestPath);

        Assert.Equal(TensorLayout.Features, manifest.Input.Layout);
        Assert.Equal(new FeatureInputSpec(ClipFeatureRecipe.TemporalStatsV1, "resnet18-imagenet", 4100), manifest.Input.Features);
        Assert.Equal(32, manifest.Input.Frames);
        var logits = Assert.Single(manifest.Outputs);
        Assert.Equal(OutputRole.ClassLogits, logits.Role);
        Assert.Equal(["fight", "noFight"], logits.Labels);

        // Small enough to commit.
        Assert.InRange(new FileInfo(manifest.ModelPath).Length, 1_000, 1_000_000);
    }

    [Fact]
    public void A_declared_length_that_differs_from_the_onnx_file_fails_naming_both()
    {
        var onnx = Path.Combine(Path.GetDirectoryName(ActionHeadFixture.HeadManifestPath)!, "head.onnx");
        var path = _dir.Write("model.json", $$"""
            {
              "name": "fight-detector", "version": "1.0.0", "file": "{{onnx}}",
              "input": { "name": "features", "layout": "features", "recipe": "temporal-stats-v1",
                         "backbone": "resnet18-imagenet", "frames": 32, "length": 4099 },
              "outputs": [ { "name": "logits", "role": "classLogits", "labels": ["fight", "noFight"] } ]
            }
            """);

        var ex = Assert.Throws<ModelManifestException>(() => OnnxModel.Load(ModelManifestLoader.Load(path), "cpu", 0, 0, 1, new CapturingLogger()));

        Assert.Equal(Path.GetFullPath(path), ex.ManifestPath);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        var problem = Assert.Single(ex.Problems);
        Assert.Contains(onnx, problem, StringComparison.Ordinal);
        Assert.Contains("[N,4099]", problem, StringComparison.Ordinal);
        Assert.Contains("[N,4100]", problem, StringComparison.Ordinal);
    }
}
