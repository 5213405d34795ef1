using System.Globalization;
using System.Numerics.Tensors;
using StreamAnalytics.Configuration;
using StreamAnalytics.Detection;
using Xunit.Abstractions;

namespace StreamAnalytics.Tests.Ingest;

/// <summary>
/// What the cheaper ways of decoding a 720p camera at the model's 224 rows do to what the heads see: <c>FastDecode</c>
/// (no deblocking) and <c>ScaleFilter: area</c>, which both default to <c>auto</c> and are both on there. The Ped2
/// videos, encoded at 1080x720 as a camera would send them, are decoded through the product's ingest each way and
/// compared frame by frame, by the INT8 backbone's embeddings, with each other and with Ped2's own 360x240 frames.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class FastDecodeParityTests(Ped2At720pFixture ped2, ITestOutputHelper output) : IClassFixture<Ped2At720pFixture>
{
    private const int DecodeHeight = 224;

    /// <summary>
    /// The INT8 parity bars of issue 13: embeddings at cosine 0.99 or more, and no more than 0.005 lost of the appearance
    /// AUC (1-NN cosine distance to training frames, as the appearance head scores). And the fast frames no further from
    /// the source footage than the full ones.
    /// </summary>
    [Fact]
    public async Task Fast_decode_of_a_720p_camera_keeps_the_embeddings_and_the_appearance_auc()
    {
        var full = await EmbedAsync(CameraOptions.FastDecodeOff, CameraOptions.ScaleBicubic);
        var fast = await EmbedAsync(CameraOptions.FastDecodeOn, CameraOptions.ScaleBicubic);

        var cosines = Cosines(full, fast);
        var (aucFull, aucFast) = (Auc(full), Auc(fast));
        var (fullToSource, fastToSource) = (Cosines(full, ped2.Native).Average(), Cosines(fast, ped2.Native).Average());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Ped2 at 1080x720 decoded at {DecodeHeight} rows, {cosines.Count} frames: embedding cosine full/fast mean {cosines.Average():F5}, min {cosines.Min():F5}; appearance AUC full {aucFull:F4}, fast {aucFast:F4} ({ped2.TrainFrames} training frames); mean cosine to Ped2's own 360x240 frames full {fullToSource:F5}, fast {fastToSource:F5}"));

        // The comparison means something only if fast decoding changed the frames at all.
        Assert.True(cosines.Min() < 0.99999, "fast decoding should change what the backbone sees");
        Assert.True(cosines.Average() >= 0.99, $"mean embedding cosine full/fast {cosines.Average():F5}");
        Assert.True(fastToSource >= fullToSource - 0.001, $"fast frames should be as close to the source footage as full ones: mean cosine full {fullToSource:F5}, fast {fastToSource:F5}");
        Assert.True(aucFull > 0.6, $"the appearance measure should separate Ped2's anomalies at all (full AUC {aucFull:F4})");
        Assert.True(aucFast >= aucFull - 0.005, $"fast decoding should cost no more than 0.005 of AUC: full {aucFull:F4}, fast {aucFast:F4}");
    }

    /// <summary>
    /// The area scale on top of a fast decode, which <c>auto</c> gives such a camera. Its appearance AUC moves by more than
    /// the 0.005 bar above against the bicubic fast decode, in a measure that moves by more than that between decodes
    /// equally close to the source; this asserts what docs/performance.md claims for it instead: embeddings at cosine 0.99
    /// or more, frames no further from the source footage than bicubic ones, and an AUC within 0.02 (docs/performance.md,
    /// "Scaling by area"). A bilinear scale, rejected before, lost 0.022.
    /// </summary>
    [Fact]
    public async Task Area_scale_of_a_720p_camera_keeps_the_embeddings_and_the_frames_as_close_to_the_source()
    {
        var bicubic = await EmbedAsync(CameraOptions.FastDecodeOn, CameraOptions.ScaleBicubic);
        var area = await EmbedAsync(CameraOptions.FastDecodeOn, CameraOptions.ScaleArea);

        var cosines = Cosines(bicubic, area);
        var (aucBicubic, aucArea) = (Auc(bicubic), Auc(area));
        var (bicubicToSource, areaToSource) = (Cosines(bicubic, ped2.Native).Average(), Cosines(area, ped2.Native).Average());
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Ped2 at 1080x720 decoded fast at {DecodeHeight} rows, {cosines.Count} frames: embedding cosine bicubic/area mean {cosines.Average():F5}, min {cosines.Min():F5}; appearance AUC bicubic {aucBicubic:F4}, area {aucArea:F4}; mean cosine to Ped2's own 360x240 frames bicubic {bicubicToSource:F5}, area {areaToSource:F5}"));

        Assert.True(cosines.Min() < 0.99999, "the area scale should change what the backbone sees");
        Assert.True(cosines.Average() >= 0.99, $"mean embedding cosine bicubic/area {cosines.Average():F5}");
        Assert.True(areaToSource >= bicubicToSource - 0.001, $"area frames should be as close to the source footage as bicubic ones: mean cosine bicubic {bicubicToSource:F5}, area {areaToSource:F5}");
        Assert.True(aucArea >= aucBicubic - 0.02, $"the area scale should cost no more than 0.02 of AUC: bicubic {aucBicubic:F4}, area {aucArea:F4}");
    }

    private Task<List<float[]>> EmbedAsync(string fastDecode, string scaleFilter) => ped2.DecodedAsync(DecodeHeight, fastDecode, scaleFilter);

    private static List<double> Cosines(List<float[]> a, List<float[]> b) => [.. a.Zip(b, (x, y) => (double)TensorPrimitives.Dot(x, y))];

    private double Auc(List<float[]> vectors)
    {
        var references = vectors.Take(ped2.TrainFrames).ToList();
        double[] scores = [.. vectors.Skip(ped2.TrainFrames).Select(q => references.Min(r => 1.0 - TensorPrimitives.Dot(q, r)))];
        return RocAuc.Compute(scores, [.. ped2.Truth]);
    }
}
