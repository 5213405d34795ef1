using System.Numerics.Tensors;
using Microsoft.Extensions.Logging.Abstractions;
using StreamAnalytics.Ingest;
using StreamAnalytics.Inference;
using StreamAnalytics.Tests.Fakes;
using StreamAnalytics.Tools;
using StreamAnalytics.Windowing;
using Xunit.Abstractions;

namespace StreamAnalytics.Tests.Inference;

/// <summary>
/// The shipped INT8 ResNet-18 (models/resnet18/quantize.sh) against its FP32 original, both through ONNX
/// Runtime on the CPU as the product loads them, on footage the quantizer never calibrated on: Ped2 test
/// videos (it calibrated on training videos 1-12 and vtest.avi) and colour fight and no-fight clips.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class Int8BackboneParityTests(ITestOutputHelper output)
{
    private const int Batch = 8;
    private const int EveryNth = 15;

    private static readonly string[] Videos =
    [
        SharedData.Path("ucsd-ped2", "test", "test01.mp4"),
        SharedData.Path("ucsd-ped2", "test", "test07.mp4"),
        SharedData.Path("surveillance-fight", "fight", "fi001.mp4"),
        SharedData.Path("surveillance-fight", "fight", "fi074.mp4"),
        SharedData.Path("surveillance-fight", "noFight", "nofi001.mp4"),
        SharedData.Path("surveillance-fight", "noFight", "nofi074.mp4"),
    ];

    private static string FeatureMapManifest => Path.Combine(AppContext.BaseDirectory, "models/resnet18/model-featuremap.json");

    [Fact]
    public void The_cpu_runs_the_manifests_int8_variant_unless_the_precision_is_pinned_to_fp32()
    {
        var manifest = ModelManifestLoader.Load(ResNet18.ManifestPath);
        Assert.NotNull(manifest.Int8ModelPath);
        var logger = new CapturingLogger();

        using var auto = OnnxModel.Load(manifest, "cpu", 0, 1, 1, logger);
        using var pinned = OnnxModel.Load(manifest.WithPrecision("fp32"), "cpu", 0, 1, 1, new CapturingLogger());

        Assert.Equal(("int8", "cpu"), (auto.Precision, auto.ExecutionProvider));
        Assert.EndsWith("ResNet18.int8.onnx", auto.Manifest.ModelPath, StringComparison.Ordinal);
        Assert.Contains(logger.Entries, e => e.Message.Contains("running its INT8 variant", StringComparison.Ordinal));
        Assert.Equal("fp32", pinned.Precision);
        Assert.EndsWith("ResNet18.onnx", pinned.Manifest.ModelPath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Int8_embeddings_and_feature_maps_keep_a_cosine_of_at_least_0_99_to_fp32_on_footage_not_calibrated_on()
    {
        var manifest = ModelManifestLoader.Load(FeatureMapManifest);
        using var int8 = OnnxModel.Load(manifest, "cpu", 0, 0, Batch, new CapturingLogger());
        using var fp32 = OnnxModel.Load(manifest.WithPrecision("fp32"), "cpu", 0, 0, Batch, new CapturingLogger());
        Assert.Equal(Batch, int8.MaxBatch);
        using var preprocessor = new FramePreprocessor(manifest.Input.Format);
        var embedding = new List<double>();
        var featureMap = new List<double>();
        var pending = 0;

        void Flush()
        {
            int8.Run(pending);
            fp32.Run(pending);
            for (var i = 0; i < pending; i++)
            {
                embedding.Add(TensorPrimitives.CosineSimilarity(int8.OutputItem(0, i), fp32.OutputItem(0, i)));
                featureMap.Add(TensorPrimitives.CosineSimilarity(int8.OutputItem(1, i), fp32.OutputItem(1, i)));
            }

            pending = 0;
        }

        foreach (var video in Videos)
        {
            long n = 0;
            await OfflineVideo.DecodeAsync(video, frame =>
            {
                if (n++ % EveryNth != 0)
                {
                    return;
                }

                preprocessor.Process(frame, int8.InputItem(pending));
                int8.InputItem(pending).CopyTo(fp32.InputItem(pending));
                if (++pending == Batch)
                {
                    Flush();
                }
            }, NullLogger<CameraReader>.Instance, CancellationToken.None);
        }

        if (pending > 0)
        {
            Flush();
        }

        output.WriteLine($"{embedding.Count} frames: embedding cosine min {embedding.Min():F5} mean {embedding.Average():F5}; feature map cosine min {featureMap.Min():F5} mean {featureMap.Average():F5}");
        Assert.True(embedding.Count >= 40, $"only {embedding.Count} frames compared");
        // The parity bar: every embedding, not the average, within cosine 0.99 of FP32.
        Assert.True(embedding.Min() >= 0.99, $"embedding cosine min {embedding.Min():F5} (mean {embedding.Average():F5}) over {embedding.Count} frames");
        Assert.True(featureMap.Average() >= 0.98, $"feature map cosine mean {featureMap.Average():F5} (min {featureMap.Min():F5})");
    }
}
