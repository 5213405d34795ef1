using System.Runtime.InteropServices;
using OpenCvSharp;
using StreamAnalytics.Configuration;
using StreamAnalytics.Ingest;
using StreamAnalytics.Privacy;
using StreamAnalytics.Snapshots;
using StreamAnalytics.Tests.Fakes;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Privacy;

[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class PrivacyMaskTests
{
    private const int W = RealFrames.Width;
    private const int H = RealFrames.Height;

    // The shipped ResNet-18's input: 224x224 BGR with its means, so the 360x240 frame goes through OpenCV's area resize.
    private static readonly FrameTensorFormat ResNetFormat = new(224, 224, ColorOrder.Bgr, 1f, [103.06f, 115.90f, 123.15f], [1, 1, 1]);

    private static readonly PolygonOptions Quadrilateral = Polygon((0.30, 0.20), (0.62, 0.25), (0.55, 0.70), (0.28, 0.60));

    private static readonly PolygonOptions Pentagon = Polygon((0.10, 0.15), (0.70, 0.10), (0.90, 0.50), (0.60, 0.90), (0.15, 0.70));

    [Fact]
    public void A_pixel_inside_a_mask_cannot_influence_the_model_input_or_the_snapshot()
    {
        var privacy = new PrivacyMask([Quadrilateral], []);
        var original = RealFrames.Ped2[0];
        var inside = Pixels(Quadrilateral, fullyInside: true);
        Assert.True(inside.Count > 5000, $"only {inside.Count} pixels inside");
        var tampered = Tamper(original, inside);

        var reference = Run(original, privacy);
        var masked = Run(tampered, privacy);

        Assert.True(BitIdentical(reference.Tensor, masked.Tensor), "a pixel inside the mask changed the model input");
        Assert.Equal(reference.Jpeg, masked.Jpeg);

        // The test can fail: without the mask the same change reaches both...
        Assert.False(BitIdentical(Run(original, privacy: null).Tensor, Run(tampered, privacy: null).Tensor));

        // ...and with it, one pixel just outside the mask still does.
        var (x, y) = NearestOutside(Quadrilateral);
        var outside = original.ToArray();
        outside[((y * W) + x) * 3] ^= 0xFF;
        var changed = Run(outside, privacy);
        Assert.False(BitIdentical(reference.Tensor, changed.Tensor), $"pixel ({x}, {y}) outside the mask did not reach the model");
        Assert.NotEqual(reference.Jpeg, changed.Jpeg);
    }

    [Fact]
    public void A_pixel_outside_every_zone_cannot_influence_the_model_input_or_the_snapshot()
    {
        var privacy = new PrivacyMask([], [Quadrilateral, Polygon((0.75, 0.75), (0.95, 0.75), (0.95, 0.95))]);
        var original = RealFrames.Ped2[1];
        var outsideBoth = Pixels(Quadrilateral, fullyInside: false)
            .Intersect(Pixels(Polygon((0.75, 0.75), (0.95, 0.75), (0.95, 0.95)), fullyInside: false))
            .ToList();
        Assert.True(outsideBoth.Count > W * H / 2, $"only {outsideBoth.Count} pixels outside the zones");

        var reference = Run(original, privacy);
        var masked = Run(Tamper(original, outsideBoth), privacy);

        Assert.True(BitIdentical(reference.Tensor, masked.Tensor), "a pixel outside every zone changed the model input");
        Assert.Equal(reference.Jpeg, masked.Jpeg);

        // A pixel inside a zone is seen.
        var (x, y) = Pixels(Quadrilateral, fullyInside: true)[0];
        var inZone = original.ToArray();
        inZone[((y * W) + x) * 3] ^= 0xFF;
        Assert.False(BitIdentical(reference.Tensor, Run(inZone, privacy).Tensor));
    }

    [Fact]
    public void Masks_win_inside_zones()
    {
        var privacy = new PrivacyMask([Quadrilateral], [Pentagon]);
        var map = privacy.KeepMap(W, H);

        foreach (var (x, y) in Pixels(Quadrilateral, fullyInside: true))
        {
            Assert.Equal(0, map[(y * W) + x]);
        }

        var leaks = Pixels(Pentagon, fullyInside: false).Where(p => map[(p.Y * W) + p.X] != 0).ToList();
        Assert.True(leaks.Count == 0, $"{leaks.Count} pixels kept outside the zone: " + string.Join(" ", leaks.Take(20)));

        // Kept: inside the zone and away from the mask.
        var kept = Pixels(Pentagon, fullyInside: true).Intersect(Pixels(Quadrilateral, fullyInside: false, margin: 2)).ToList();
        Assert.NotEmpty(kept);
        Assert.All(kept, p => Assert.Equal(255, map[(p.Y * W) + p.X]));
    }

    [Fact]
    public void A_mask_blanks_every_pixel_it_touches()
    {
        // A triangle inside pixel (4, 4) of a 10x10 frame: it covers no pixel centre, yet that pixel goes.
        var privacy = new PrivacyMask([Polygon((0.41, 0.41), (0.48, 0.42), (0.43, 0.47))], []);
        var pixels = Enumerable.Repeat((byte)200, 10 * 10 * 3).ToArray();

        privacy.Apply(pixels, 10, 10);

        Assert.Equal(1, privacy.BlankedPixels);
        Assert.Equal([0, 0, 0], pixels[(((4 * 10) + 4) * 3)..((((4 * 10) + 4) * 3) + 3)]);
        Assert.Equal(99 * 3, pixels.Count(b => b == 200));
    }

    [Fact]
    public void A_new_frame_size_rasterises_the_polygons_again_in_normalised_coordinates()
    {
        var privacy = new PrivacyMask([Polygon((0, 0), (0.5, 0), (0.5, 1), (0, 1))], []);
        var small = Enumerable.Repeat((byte)9, 8 * 6 * 3).ToArray();
        var large = Enumerable.Repeat((byte)9, 16 * 12 * 3).ToArray();

        Assert.True(privacy.Apply(small, 8, 6));
        Assert.False(privacy.Apply(small, 8, 6));
        var blankedSmall = privacy.BlankedPixels;
        Assert.True(privacy.Apply(large, 16, 12));
        var blankedLarge = privacy.BlankedPixels;

        // Exactly the left half at either size: an edge on a pixel boundary only touches the pixels beside it.
        for (var y = 0; y < 6; y++)
        {
            Assert.All(Enumerable.Range(0, 4), x => Assert.Equal(0, small[((y * 8) + x) * 3]));
            Assert.All(Enumerable.Range(4, 4), x => Assert.Equal(9, small[((y * 8) + x) * 3]));
        }

        for (var y = 0; y < 12; y++)
        {
            Assert.All(Enumerable.Range(0, 8), x => Assert.Equal(0, large[((y * 16) + x) * 3]));
            Assert.All(Enumerable.Range(8, 8), x => Assert.Equal(9, large[((y * 16) + x) * 3]));
        }

        Assert.Equal(4 * 6, blankedSmall);
        Assert.Equal(8 * 12, blankedLarge);
        Assert.Equal((16, 12), (privacy.Width, privacy.Height));
    }

    [Fact]
    public void Blanking_a_frame_allocates_nothing()
    {
        var privacy = new PrivacyMask([Quadrilateral], [Pentagon]);
        var pool = new FramePool("cam", W, H);
        using var frame = RealFrames.Rent(pool, 1, RealFrames.Ped2[0]);
        privacy.Apply(frame.Pixels, W, H);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            privacy.Apply(frame.Pixels, W, H);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    private static PolygonOptions Polygon(params (double X, double Y)[] points) => new() { Points = [.. points.Select(p => new[] { p.X, p.Y })] };

    /// <summary>
    /// Pixels whose whole square lies inside (or outside) the polygon, found by OpenCV's distance to the contour,
    /// not by the rasteriser under test.
    /// </summary>
    private static List<(int X, int Y)> Pixels(PolygonOptions polygon, bool fullyInside, double margin = 0.75)
    {
        var contour = polygon.Points.Select(p => new Point2f((float)(p[0] * W), (float)(p[1] * H))).ToArray();
        var pixels = new List<(int, int)>();
        for (var y = 0; y < H; y++)
        {
            for (var x = 0; x < W; x++)
            {
                var distance = Cv2.PointPolygonTest(contour, new Point2f(x + 0.5f, y + 0.5f), measureDist: true);
                if (fullyInside ? distance >= margin : distance <= -margin)
                {
                    pixels.Add((x, y));
                }
            }
        }

        return pixels;
    }

    private static (int X, int Y) NearestOutside(PolygonOptions polygon) =>
        Pixels(polygon, fullyInside: false, margin: 2).MinBy(p => Math.Abs(Cv2.PointPolygonTest(
            polygon.Points.Select(q => new Point2f((float)(q[0] * W), (float)(q[1] * H))).ToArray(), new Point2f(p.X + 0.5f, p.Y + 0.5f), measureDist: true)));

    /// <summary>A copy with those pixels replaced by noise that differs from the original in every byte.</summary>
    private static byte[] Tamper(byte[] original, List<(int X, int Y)> pixels)
    {
        var random = new Random(17);
        var copy = original.ToArray();
        foreach (var (x, y) in pixels)
        {
            for (var c = 0; c < 3; c++)
            {
                var i = (((y * W) + x) * 3) + c;
                copy[i] = (byte)(original[i] + 1 + random.Next(255));
            }
        }

        return copy;
    }

    /// <summary>One frame through windowing as the live pipeline runs it: masks, then the model tensor and the snapshot copy.</summary>
    private static (float[] Tensor, byte[] Jpeg) Run(byte[] pixels, PrivacyMask? privacy)
    {
        var pool = new FramePool("cam", W, H);
        using var windowing = new CameraWindowing("cam", new WindowSchedule(1, 0, 1), ResNetFormat, metrics: null, privacy: privacy, snapshots: new SnapshotCapture(maxWidth: 240));
        var window = windowing.Process(RealFrames.Rent(pool, 1, pixels));
        Assert.NotNull(window);
        try
        {
            var jpeg = SnapshotEncoder.Encode(window.Snapshot!, 90, 1 << 20).Jpeg;
            Assert.NotNull(jpeg);
            return (window.Frames[0].Tensor.ToArray(), jpeg);
        }
        finally
        {
            window.Release();
        }
    }

    private static bool BitIdentical(float[] a, float[] b) => MemoryMarshal.AsBytes(a.AsSpan()).SequenceEqual(MemoryMarshal.AsBytes(b.AsSpan()));
}
