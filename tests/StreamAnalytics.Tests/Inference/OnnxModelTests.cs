using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Inference;
using StreamAnalytics.Tests.Fakes;

namespace StreamAnalytics.Tests.Inference;

[Collection(ResNet18Collection.Name)]
public sealed class OnnxModelTests(ResNet18Fixture resnet) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ResNet18_loads_on_cpu_and_gives_a_512_value_embedding()
    {
        var model = resnet.Model;

        Assert.Equal("cpu", model.ExecutionProvider);
        Assert.Equal([ResNet18.EmbeddingLength], model.OutputItemSizes);
        Assert.InRange(model.MaxBatch, 1, 8);
        Assert.Contains(resnet.Logger.Entries, e => e.Level == LogLevel.Information && e.Message.Contains("loaded on cpu", StringComparison.Ordinal));

        var input = model.InputItem(0);
        Assert.Equal(3 * 224 * 224, input.Length);
        var random = new Random(7);
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = (float)((random.NextDouble() * 255) - 128);
        }

        var duration = model.Run(1);

        var embedding = model.OutputItem(0, 0).ToArray();
        Assert.Equal(ResNet18.EmbeddingLength, embedding.Length);
        Assert.All(embedding, v => Assert.True(float.IsFinite(v)));
        Assert.True(embedding.Distinct().Count() > 100, "the embedding should not be constant");
        Assert.True(duration > TimeSpan.Zero);
    }

    [Fact]
    public void Run_rejects_a_count_outside_one_to_max_batch()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => resnet.Model.Run(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => resnet.Model.Run(resnet.Model.MaxBatch + 1));
    }

    [Fact]
    public void A_manifest_that_claims_the_wrong_input_size_is_rejected_naming_both_files_and_shapes()
    {
        var manifestPath = WriteManifest(input => { input["width"] = 112; input["height"] = 112; });
        var manifest = ModelManifestLoader.Load(manifestPath);

        var ex = Assert.Throws<ModelManifestException>(() => OnnxModel.Load(manifest, "cpu", 0, 0, 8, new CapturingLogger()));

        var problem = Assert.Single(ex.Problems);
        Assert.Contains(manifestPath, ex.Message, StringComparison.Ordinal);
        Assert.Contains(ResNet18.ModelPath, ex.Message, StringComparison.Ordinal);
        Assert.Contains("[N,3,112,112]", problem, StringComparison.Ordinal);
        Assert.Contains("3,224,224]", problem, StringComparison.Ordinal);
        Assert.Contains("Input247", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_mismatches_are_all_reported()
    {
        var manifestPath = WriteManifest(outputs: """
            [ { "name": "Pooling395_Output_0", "role": "classLogits", "labels": ["a", "b"] },
              { "name": "no_such_output", "role": "embedding" } ]
            """);
        var manifest = ModelManifestLoader.Load(manifestPath);

        var ex = Assert.Throws<ModelManifestException>(() => OnnxModel.Load(manifest, "cpu", 0, 0, 8, new CapturingLogger()));

        Assert.Equal(2, ex.Problems.Count);
        Assert.Contains(ex.Problems, p => p.Contains("2 labels", StringComparison.Ordinal) && p.Contains("512 values", StringComparison.Ordinal));
        Assert.Contains(ex.Problems, p => p.Contains("'no_such_output' is not in", StringComparison.Ordinal) && p.Contains("Pooling395_Output_0", StringComparison.Ordinal));
    }

    [Fact]
    public void Cuda_that_cannot_load_falls_back_to_cpu_with_a_warning()
    {
        // This machine has no GPU (nor the CUDA libraries): the CUDA provider cannot start.
        var logger = new CapturingLogger();
        var manifest = ModelManifestLoader.Load(ResNet18.ManifestPath);

        using var model = OnnxModel.Load(manifest, "cuda", 0, 1, 1, logger);

        Assert.Equal("cpu", model.ExecutionProvider);
        var warning = Assert.Single(logger.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("CUDA", warning.Message, StringComparison.Ordinal);
        Assert.Contains("running on CPU", warning.Message, StringComparison.Ordinal);
        Assert.Contains(logger.Entries, e => e.Message.Contains("loaded on cpu", StringComparison.Ordinal));
    }

    [Fact]
    public void TensorRT_that_cannot_load_falls_back_to_cuda_then_cpu_saying_so_each_time()
    {
        var logger = new CapturingLogger();
        var manifest = ModelManifestLoader.Load(ResNet18.ManifestPath);

        using var model = OnnxModel.Load(manifest, "tensorrt", 0, 1, 1, logger, _dir.File("engines"));

        Assert.Equal("cpu", model.ExecutionProvider);
        var warnings = logger.Entries.Where(e => e.Level == LogLevel.Warning).Select(e => e.Message).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Contains("TensorRT execution provider could not be loaded", warnings[0], StringComparison.Ordinal);
        Assert.Contains("trying CUDA", warnings[0], StringComparison.Ordinal);
        Assert.Contains("running on CPU", warnings[1], StringComparison.Ordinal);
        model.InputItem(0).Fill(0.5f);
        model.Run(1);
        Assert.Equal(ResNet18.EmbeddingLength, model.OutputItem(0, 0).Length);
        Assert.All(model.OutputItem(0, 0).ToArray(), v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void An_fp16_variant_is_for_gpu_providers_and_the_cpu_runs_the_fp32_file()
    {
        var fp16 = _dir.File("resnet18-fp16.onnx");
        File.Copy(ResNet18.ModelPath, fp16);
        var path = WriteManifest(json: json => json["fileFp16"] = fp16);
        var manifest = ModelManifestLoader.Load(path);
        Assert.Equal(fp16, manifest.Fp16ModelPath);

        // No GPU here: CUDA falls back to CPU, and the CPU is given the FP32 file, not the variant.
        var logger = new CapturingLogger();
        using (var model = OnnxModel.Load(manifest, "cuda", 0, 1, 1, logger))
        {
            Assert.Equal("cpu", model.ExecutionProvider);
            Assert.Equal(ResNet18.ModelPath, model.Manifest.ModelPath);
            Assert.DoesNotContain(logger.Entries, e => e.Message.Contains("FP16 variant", StringComparison.Ordinal));
        }

        // Asked for the CPU, the variant is not even opened.
        File.WriteAllText(fp16, "not an ONNX file");
        using var cpu = OnnxModel.Load(manifest, "cpu", 0, 1, 1, new CapturingLogger());
        Assert.Equal(ResNet18.ModelPath, cpu.Manifest.ModelPath);
    }

    [Fact]
    public void A_gpu_provider_that_cannot_load_leaves_the_cpu_its_int8_variant_and_fp32_precision_keeps_the_fp32_file()
    {
        var int8 = Path.Combine(Path.GetDirectoryName(ResNet18.ModelPath)!, "ResNet18.int8.onnx");
        var path = WriteManifest(json: json => json["fileInt8"] = int8);
        var manifest = ModelManifestLoader.Load(path);
        Assert.Equal(int8, manifest.Int8ModelPath);

        // No GPU here: CUDA falls back to CPU, and the CPU is given the INT8 variant.
        var logger = new CapturingLogger();
        using (var model = OnnxModel.Load(manifest, "cuda", 0, 1, 1, logger))
        {
            Assert.Equal(("cpu", "int8", int8), (model.ExecutionProvider, model.Precision, model.Manifest.ModelPath));
            Assert.Contains(logger.Entries, e => e.Message.Contains("running its INT8 variant", StringComparison.Ordinal));
        }

        using var pinned = OnnxModel.Load(manifest.WithPrecision("fp32"), "cuda", 0, 1, 1, new CapturingLogger());
        Assert.Equal(("cpu", "fp32", ResNet18.ModelPath), (pinned.ExecutionProvider, pinned.Precision, pinned.Manifest.ModelPath));
    }

    [Fact]
    public void A_missing_int8_variant_is_a_manifest_problem_naming_the_file()
    {
        var path = WriteManifest(json: json => json["fileInt8"] = "nowhere.int8.onnx");

        var ex = Assert.Throws<ModelManifestException>(() => ModelManifestLoader.Load(path));

        Assert.Contains(ex.Problems, p => p.StartsWith("fileInt8: ONNX file '", StringComparison.Ordinal) && p.Contains("nowhere.int8.onnx", StringComparison.Ordinal));
    }

    /// <summary>A copy of the shipped manifest in a temp folder, pointing at the real ONNX file, with edits.</summary>
    private string WriteManifest(Action<JsonObject>? editInput = null, string? outputs = null, Action<JsonObject>? json = null)
    {
        var document = JsonNode.Parse(File.ReadAllText(ResNet18.ManifestPath))!.AsObject();
        document["file"] = ResNet18.ModelPath;
        document.Remove("fileInt8");
        json?.Invoke(document);
        editInput?.Invoke(document["input"]!.AsObject());
        if (outputs is not null)
        {
            document["outputs"] = JsonNode.Parse(outputs);
        }

        return _dir.Write("model.json", document.ToJsonString());
    }
}
