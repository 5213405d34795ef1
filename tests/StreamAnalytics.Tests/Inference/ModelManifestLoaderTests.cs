using StreamAnalytics.Inference;
using StreamAnalytics.Tests.Fakes;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Inference;

public sealed class ModelManifestLoaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_valid_clip_manifest_is_parsed()
    {
        _dir.Write("clip.onnx", "not really onnx; the loader only checks that it exists");
        _dir.Write("labels.txt", "walk\n\n  fall  \nfight\n");
        var path = _dir.Write("model.json", """
            {
              // comments and trailing commas are allowed
              "name": "x3d-actions",
              "version": "2.1",
              "file": "clip.onnx",
              "input": {
                "name": "video",
                "layout": "ncthw",
                "frames": 16,
                "width": 160,
                "height": 120,
                "colorOrder": "rgb",
                "scale": 0.00392157,
                "mean": [0.45, 0.45, 0.45],
                "std": [0.225, 0.225, 0.225],
              },
              "outputs": [
                { "name": "logits", "role": "classLogits", "labelsFile": "labels.txt" },
                { "name": "features", "role": "embedding" },
                { "name": "score", "role": "anomaly_score" }
              ]
            }
            """);

        var manifest = ModelManifestLoader.Load(path);

        Assert.Equal("x3d-actions", manifest.Name);
        Assert.Equal("2.1", manifest.Version);
        Assert.Equal(Path.GetFullPath(path), manifest.ManifestPath);
        Assert.Equal(_dir.File("clip.onnx"), manifest.ModelPath);
        Assert.Equal("video", manifest.Input.Name);
        Assert.Equal(TensorLayout.Ncthw, manifest.Input.Layout);
        Assert.Equal(16, manifest.Input.Frames);
        Assert.Equal([3, 16, 120, 160], manifest.Input.ItemShape);
        Assert.Equal(3 * 16 * 120 * 160, manifest.Input.ItemElementCount);
        var format = manifest.Input.Format;
        Assert.Equal(160, format.Width);
        Assert.Equal(120, format.Height);
        Assert.Equal(ColorOrder.Rgb, format.ColorOrder);
        Assert.Equal(0.00392157f, format.Scale);
        Assert.Equal([0.45f, 0.45f, 0.45f], format.Mean);
        Assert.Equal([0.225f, 0.225f, 0.225f], format.Std);
        Assert.Equal(3, manifest.Outputs.Count);
        Assert.Equal(["walk", "fall", "fight"], manifest.Outputs[0].Labels);
        Assert.Equal(OutputRole.ClassLogits, manifest.Outputs[0].Role);
        Assert.Equal(("features", OutputRole.Embedding), (manifest.Outputs[1].Name, manifest.Outputs[1].Role));
        Assert.Equal(("score", OutputRole.AnomalyScore), (manifest.Outputs[2].Name, manifest.Outputs[2].Role));
    }

    [Fact]
    public void A_missing_fp16_variant_is_reported_with_its_path()
    {
        _dir.Write("model.onnx", "exists");
        var path = _dir.Write("model.json", """
            {
              "name": "enc", "version": "1", "file": "model.onnx", "fileFp16": "model-fp16.onnx",
              "input": { "name": "x", "layout": "nchw", "width": 8, "height": 8, "colorOrder": "rgb" },
              "outputs": [ { "name": "y", "role": "embedding" } ]
            }
            """);

        var ex = Assert.Throws<ModelManifestException>(() => ModelManifestLoader.Load(path));

        var problem = Assert.Single(ex.Problems);
        Assert.Contains("fileFp16", problem, StringComparison.Ordinal);
        Assert.Contains(_dir.File("model-fp16.onnx"), problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_per_frame_manifest_defaults_frames_mean_std_and_scale()
    {
        _dir.Write("enc.onnx", string.Empty);
        var path = _dir.Write("model.json", """
            {
              "name": "enc", "version": "1", "file": "enc.onnx",
              "input": { "name": "x", "layout": "NCHW", "width": 32, "height": 24, "colorOrder": "BGR" },
              "outputs": [ { "name": "y", "role": "classLogits", "labels": ["a", "b"] } ]
            }
            """);

        var manifest = ModelManifestLoader.Load(path);

        Assert.Equal(TensorLayout.Nchw, manifest.Input.Layout);
        Assert.Equal(1, manifest.Input.Frames);
        Assert.Equal([3, 24, 32], manifest.Input.ItemShape);
        Assert.Equal(ColorOrder.Bgr, manifest.Input.Format.ColorOrder);
        Assert.Equal(1f, manifest.Input.Format.Scale);
        Assert.Equal([0f, 0f, 0f], manifest.Input.Format.Mean);
        Assert.Equal([1f, 1f, 1f], manifest.Input.Format.Std);
        Assert.Equal(["a", "b"], manifest.Outputs[0].Labels);
    }

    [Fact]
    public void Every_mistake_is_reported_at_once()
    {
        var path = _dir.Write("model.json", """
            {
              "name": "broken", "version": "1", "file": "missing.onnx",
              "input": { "name": "x", "layout": "NHWC", "width": 224, "height": 224, "colorOrder": "YUV",
                         "mean": [0.5, 0.5], "std": [1, 1, 1] },
              "outputs": [ { "name": "logits", "role": "classLogits" } ]
            }
            """);

        var ex = Assert.Throws<ModelManifestException>(() => ModelManifestLoader.Load(path));

        Assert.Equal(path, ex.ManifestPath);
        Assert.Equal(5, ex.Problems.Count);
        Assert.Contains(ex.Problems, p => p.StartsWith("file:", StringComparison.Ordinal) && p.Contains(_dir.File("missing.onnx"), StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.Contains("input.layout", StringComparison.Ordinal) && p.Contains("'NHWC'", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.Contains("input.colorOrder", StringComparison.Ordinal) && p.Contains("'YUV'", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.Contains("input.mean", StringComparison.Ordinal) && p.Contains("got 2 and 3", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.Contains("outputs[0]", StringComparison.Ordinal) && p.Contains("needs labels", StringComparison.Ordinal));

        // The message lists them all too, under the manifest's path.
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
        Assert.All(ex.Problems, p => Assert.Contains(p, ex.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void Missing_required_fields_are_each_named()
    {
        var path = _dir.Write("model.json", """
            { "input": { "layout": "NCTHW", "width": 0, "height": 10, "colorOrder": "RGB", "scale": 0 },
              "outputs": [ { "role": "embedding" }, { "name": "y", "role": "probabilities" }, { "name": "z", "role": "embedding", "labelsFile": "nope.txt" } ] }
            """);

        var ex = Assert.Throws<ModelManifestException>(() => ModelManifestLoader.Load(path));

        string[] expectedStarts = ["name: required", "version: required", "file: required", "input.name: required", "input.frames (T)", "input.width and input.height", "input.scale", "outputs[0].name: required", "outputs[1].role", "outputs[2].labelsFile"];
        foreach (var start in expectedStarts)
        {
            Assert.Contains(ex.Problems, p => p.StartsWith(start, StringComparison.Ordinal));
        }

        Assert.Equal(expectedStarts.Length, ex.Problems.Count);
    }

    [Fact]
    public void Frames_other_than_one_are_rejected_for_a_per_frame_encoder()
    {
        _dir.Write("m.onnx", string.Empty);
        var path = _dir.Write("model.json", """
            { "name": "n", "version": "1", "file": "m.onnx",
              "input": { "name": "x", "layout": "NCHW", "frames": 8, "width": 8, "height": 8, "colorOrder": "RGB" },
              "outputs": [ { "name": "y", "role": "embedding" }, { "name": "y", "role": "embedding" } ] }
            """);

        var ex = Assert.Throws<ModelManifestException>(() => ModelManifestLoader.Load(path));

        Assert.Equal(2, ex.Problems.Count);
        Assert.Contains(ex.Problems, p => p.Contains("input.frames must be 1", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.Contains("listed twice", StringComparison.Ordinal));
    }

    [Fact]
    public void A_missing_manifest_is_reported()
    {
        var path = _dir.File("absent.json");

        var ex = Assert.Throws<ModelManifestException>(() => ModelManifestLoader.Load(path));

        Assert.Contains(ex.Problems, p => p.Contains("does not exist", StringComparison.Ordinal));
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{ \"name\": \"n\", \"unexpected\": 1 }")]
    [InlineData("{ not json")]
    public void Unknown_fields_and_invalid_json_are_reported(string json)
    {
        var path = _dir.Write("model.json", json);

        var ex = Assert.Throws<ModelManifestException>(() => ModelManifestLoader.Load(path));

        Assert.Contains(ex.Problems, p => p.Contains("not valid manifest JSON", StringComparison.Ordinal));
    }

    [Fact]
    public void The_shipped_resnet18_manifest_is_valid()
    {
        var manifest = ModelManifestLoader.Load(ResNet18.ManifestPath);

        Assert.Equal(ResNet18.ModelPath, manifest.ModelPath);
        Assert.Equal(TensorLayout.Nchw, manifest.Input.Layout);
        Assert.Equal([3, 224, 224], manifest.Input.ItemShape);
        Assert.Equal(ColorOrder.Bgr, manifest.Input.Format.ColorOrder);
        Assert.Equal(OutputRole.Embedding, Assert.Single(manifest.Outputs).Role);
    }
}
