using StreamAnalytics.Heads.Motion;
using StreamAnalytics.Ingest;

namespace StreamAnalytics.Tests.Heads.Motion;

public sealed class MotionFeatureExtractorTests
{
    private const int Size = 96;

    /// <summary>3x3 cells of 32 px, decoded at the analysis size so no resize is involved.</summary>
    private static readonly MotionFeatureOptions Options = new() { AnalysisWidth = Size, AnalysisHeight = Size, CellSize = 32, CellStride = 32 };

    /// <summary>Smooth blobs (Farneback needs texture), shifted right by <paramref name="shift"/> pixels, grey in all three channels.</summary>
    private static Frame Textured(FramePool pool, int shift, long sequence)
    {
        var frame = pool.Rent();
        frame.Sequence = sequence;
        var pixels = frame.Pixels;
        for (var y = 0; y < pool.Height; y++)
        {
            for (var x = 0; x < pool.Width; x++)
            {
                var u = (x - shift) * 2 * Math.PI / 24;
                var v = y * 2 * Math.PI / 20;
                var value = (byte)(128 + (60 * Math.Sin(u) * Math.Cos(v)) + (30 * Math.Sin((0.5 * u) + (0.7 * v))));
                var i = ((y * pool.Width) + x) * 3;
                pixels[i] = pixels[i + 1] = pixels[i + 2] = value;
            }
        }

        return frame;
    }

    [Fact]
    public void The_first_frame_and_a_still_scene_give_zeros()
    {
        using var extractor = new MotionFeatureExtractor(Options);
        var pool = new FramePool("cam", Size, Size);
        var features = new float[extractor.FeatureLength];
        Array.Fill(features, 7f);

        using (var first = Textured(pool, 0, 1))
        {
            Assert.False(extractor.HasPrevious);
            extractor.Process(first, features);
        }

        Assert.All(features, f => Assert.Equal(0f, f));
        using (var same = Textured(pool, 0, 2))
        {
            Assert.True(extractor.HasPrevious);
            extractor.Process(same, features);
        }

        Assert.All(features, f => Assert.Equal(0f, f, 3));
    }

    [Fact]
    public void Motion_to_the_right_fills_the_zero_degree_bin_and_its_speed_bin()
    {
        using var extractor = new MotionFeatureExtractor(Options);
        var pool = new FramePool("cam", Size, Size);
        var features = new float[extractor.FeatureLength];
        using (var before = Textured(pool, 0, 1))
        {
            extractor.Process(before, features);
        }

        using (var after = Textured(pool, 2, 2))
        {
            extractor.Process(after, features);
        }

        // The centre cell, away from the borders where flow is unreliable.
        var centre = features.AsSpan(4 * Options.FeaturesPerCell, Options.FeaturesPerCell);
        var directions = centre[..Options.DirectionBins].ToArray();
        Assert.Equal(0, Array.IndexOf(directions, directions.Max()));
        Assert.InRange(directions[0], 1.0f, 3.0f); // ≈ 2 px/frame over most of the cell

        // Speed bins double from MagnitudeBase (b): a 2 px shift lands in [b·2^(k-1), b·2^k) or [b·2^k, b·2^(k+1)) with
        // b·2^k = 2 px, depending on how Farneback rounds it (with b = 1: [1, 2) or [2, 4)).
        var speeds = centre.Slice(Options.DirectionBins, Options.MagnitudeBins).ToArray();
        var twoPixels = (int)Math.Round(Math.Log2(2 / Options.MagnitudeBase));
        Assert.True(speeds[twoPixels - 1] + speeds[twoPixels] > 0.8f, $"speed bins: {string.Join(", ", speeds)}");
        Assert.True(centre[^1] > 0, "frame difference");
    }

    [Fact]
    public void Frames_of_another_size_are_resized_and_processing_allocates_nothing()
    {
        using var extractor = new MotionFeatureExtractor(Options);
        var pool = new FramePool("cam", 2 * Size, 2 * Size);
        var features = new float[extractor.FeatureLength];
        var frames = Enumerable.Range(0, 3).Select(i => Textured(pool, i, i + 1)).ToList();

        // A pooled frame creates its OpenCV view once, on first use; after that nothing is allocated.
        foreach (var frame in frames)
        {
            extractor.Process(frame, features);
        }

        extractor.Reset();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < frames.Count; i++)
        {
            extractor.Process(frames[i], features);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Contains(features, f => f > 0);
        frames.ForEach(f => f.Dispose());
    }

    [Fact]
    public void Reset_forgets_the_previous_frame()
    {
        using var extractor = new MotionFeatureExtractor(Options);
        var pool = new FramePool("cam", Size, Size);
        var features = new float[extractor.FeatureLength];
        using var a = Textured(pool, 0, 1);
        using var b = Textured(pool, 3, 2);
        extractor.Process(a, features);

        extractor.Reset();
        extractor.Process(b, features);

        Assert.All(features, f => Assert.Equal(0f, f));
    }

    [Fact]
    public void Bad_settings_and_short_buffers_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new MotionFeatureExtractor(Options with { CellSize = 200 }));
        Assert.Throws<ArgumentException>(() => new MotionFeatureExtractor(Options with { FlowPolyN = 6 }));
        using var extractor = new MotionFeatureExtractor(Options);
        var pool = new FramePool("cam", Size, Size);
        using var frame = Textured(pool, 0, 1);
        Assert.Throws<ArgumentException>(() => extractor.Process(frame, new float[extractor.FeatureLength - 1]));
    }

    [Fact]
    public void Cells_overlap_and_the_grid_ends_flush_with_the_frame()
    {
        var defaults = new MotionFeatureOptions();

        Assert.Equal(11, defaults.Columns);
        Assert.Equal(7, defaults.Rows);
        Assert.Equal(0, defaults.CellOrigin(0, defaults.AnalysisWidth));
        Assert.Equal(defaults.AnalysisWidth - defaults.CellSize, defaults.CellOrigin(defaults.Columns - 1, defaults.AnalysisWidth));
        Assert.Equal(defaults.AnalysisHeight - defaults.CellSize, defaults.CellOrigin(defaults.Rows - 1, defaults.AnalysisHeight));
        Assert.Equal(77 * 14, defaults.FeatureLength);
    }
}
