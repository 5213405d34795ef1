using System.Globalization;
using System.Numerics.Tensors;
using StreamAnalytics.Configuration;
using StreamAnalytics.Detection;
using StreamAnalytics.Ingest;
using StreamAnalytics.Inference;
using StreamAnalytics.Tests.Fakes;
using StreamAnalytics.Tools.Anomaly;
using Xunit.Abstractions;

namespace StreamAnalytics.Tests.Ingest;

/// <summary>
/// What <c>FastDecode</c> (no deblocking) does to what the heads see, where <c>auto</c> turns it on: a
/// 720p camera decoded at the model's 224 rows. The Ped2 videos are encoded at 1080x720 as a camera would send them
/// (x264 with its deblocking on), then decoded through the product's ingest both ways. The INT8 backbone's embeddings of
/// the same frames must stay at cosine 0.99 or more, and the appearance AUC (1-NN cosine distance to training frames, as
/// the appearance head scores) must lose no more than 0.005, the INT8 parity bars of issue 13.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class FastDecodeParityTests(ITestOutputHelper output) : IDisposable
{
    private const int Batch = 8;
    private const int TrainEveryNth = 3;
    private const int DecodeHeight = 224;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Fast_decode_of_a_720p_camera_keeps_the_embeddings_and_the_appearance_auc()
    {
        var manifest = ModelManifestLoader.Load(ResNet18.ManifestPath);
        using var model = OnnxModel.Load(manifest, "cpu", 0, 0, Batch, new CapturingLogger());
        var labels = AnomalyLabels.Load(SharedData.Path("ucsd-ped2", "test", "labels.json"));
        var train = Directory.GetFiles(SharedData.Path("ucsd-ped2", "train"), "*.mp4").Order(StringComparer.Ordinal).ToList();

        using var full = new VideoEmbeddings(model);
        using var fast = new VideoEmbeddings(model);
        static void AtModelHeight(Frame frame) => Assert.Equal(DecodeHeight, frame.Height);
        foreach (var video in train)
        {
            var camera = await At720pAsync(video);
            await full.AddAsync(camera, TrainEveryNth, DecodeHeight, CameraOptions.FastDecodeOff, AtModelHeight);
            await fast.AddAsync(camera, TrainEveryNth, DecodeHeight, CameraOptions.FastDecodeOn, AtModelHeight);
        }

        var trainCount = full.Of[0].Count;
        var truth = new List<bool>();
        foreach (var video in labels)
        {
            var camera = await At720pAsync(SharedData.Path("ucsd-ped2", "test", video.Name));
            var count = await full.AddAsync(camera, every: 1, DecodeHeight, CameraOptions.FastDecodeOff);
            Assert.Equal(count, await fast.AddAsync(camera, every: 1, DecodeHeight, CameraOptions.FastDecodeOn));
            for (var frame = 1; frame <= count; frame++)
            {
                truth.Add(video.IsAnomalous(frame));
            }
        }

        Assert.Equal(full.Of[0].Count, fast.Of[0].Count);
        var cosines = full.Of[0].Zip(fast.Of[0], (a, b) => (double)TensorPrimitives.Dot(a, b)).ToList();
        var aucFull = Auc(full.Of[0], trainCount, truth);
        var aucFast = Auc(fast.Of[0], trainCount, truth);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Ped2 at 1080x720 decoded at {DecodeHeight} rows, {cosines.Count} frames: embedding cosine full/fast mean {cosines.Average():F5}, min {cosines.Min():F5}; appearance AUC full {aucFull:F4}, fast {aucFast:F4} ({trainCount} training frames)"));

        // The comparison means something only if fast decoding changed the frames at all.
        Assert.True(cosines.Min() < 0.99999, "fast decoding should change what the backbone sees");
        Assert.True(cosines.Average() >= 0.99, $"mean embedding cosine full/fast {cosines.Average():F5}");
        Assert.True(aucFull > 0.6, $"the appearance measure should separate Ped2's anomalies at all (full AUC {aucFull:F4})");
        Assert.True(aucFast >= aucFull - 0.005, $"fast decoding should cost no more than 0.005 of AUC: full {aucFull:F4}, fast {aucFast:F4}");
    }

    private static double Auc(List<float[]> vectors, int trainCount, List<bool> truth)
    {
        var references = vectors.Take(trainCount).ToList();
        double[] scores = [.. vectors.Skip(trainCount).Select(q => references.Min(r => 1.0 - TensorPrimitives.Dot(q, r)))];
        return RocAuc.Compute(scores, [.. truth]);
    }

    /// <summary>The video re-encoded at 1080x720 with x264's defaults (deblocking on), as a 720p camera sends it.</summary>
    private async Task<string> At720pAsync(string source)
    {
        var path = _dir.File(Path.GetFileName(source));
        await FfmpegTool.RunAsync("-threads", "2", "-i", source, "-vf", "scale=1080:720", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-g", "30", "-pix_fmt", "yuv420p", path);
        return path;
    }
}
