using StreamAnalytics.Heads.Motion;
using StreamAnalytics.Tests.Fakes;

namespace StreamAnalytics.Tests.Heads.Motion;

public sealed class MotionNormalityModelTests : IDisposable
{
    /// <summary>2x2 cells of 14 features: small enough to reason about.</summary>
    private static readonly MotionFeatureOptions Small = new() { AnalysisWidth = 64, AnalysisHeight = 64, CellSize = 32, CellStride = 32 };

    private static readonly DateTimeOffset Created = new(2026, 1, 2, 3, 4, 5, 678, TimeSpan.Zero);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static float[] Frame(Random random) =>
        Enumerable.Range(0, Small.FeatureLength).Select(_ => (float)random.NextDouble()).ToArray();

    private static float[] Constant(float value) => Enumerable.Repeat(value, Small.FeatureLength).ToArray();

    private static List<IReadOnlyList<float[]>> RandomVideos(int videos, int frames, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, videos).Select(_ => (IReadOnlyList<float[]>)Enumerable.Range(0, frames).Select(_ => Frame(random)).ToList()).ToList();
    }

    private static MotionNormalityModel Learn(List<IReadOnlyList<float[]>> videos, MotionNormalityOptions? options = null) =>
        MotionNormalityLearner.Learn(videos, Small, options ?? new MotionNormalityOptions(), "cam-1", Created);

    private static float Score(MotionNormalityModel model, float[] features) =>
        model.Score(features, new float[model.ScratchLength]);

    private static float[] Shifted(float[] features, int cell, float by)
    {
        var copy = features.ToArray();
        for (var d = 0; d < Small.FeaturesPerCell; d++)
        {
            copy[(cell * Small.FeaturesPerCell) + d] += by;
        }

        return copy;
    }

    [Theory]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(16)]
    [InlineData(41)]
    [InlineData(203)]
    public void Distances_are_each_feature_s_rounded_square_added_in_feature_order_for_every_frame(int frames)
    {
        // Frame counts below, at and past the SIMD widths, so the vector loops and the scalar tail are all checked
        // against the sum the scores and learned thresholds were defined by, to the bit.
        var model = Learn(RandomVideos(1, frames, seed: frames));
        Assert.Equal(frames, model.Frames);
        var random = new Random(frames + 1);
        var perCell = Small.FeaturesPerCell;
        var query = Enumerable.Range(0, perCell).Select(_ => (float)(random.NextDouble() * 3)).ToArray();
        var distances = new float[frames];
        for (var cell = 0; cell < Small.CellCount; cell++)
        {
            model.Distances(cell, query, distances);
            for (var i = 0; i < frames; i++)
            {
                var sum = 0f;
                for (var d = 0; d < perCell; d++)
                {
                    var difference = model.Vectors[(((cell * perCell) + d) * frames) + i] - query[d];
                    sum = d == 0 ? difference * difference : (difference * difference) + sum;
                }

                Assert.Equal(BitConverter.SingleToInt32Bits(sum), BitConverter.SingleToInt32Bits(distances[i]));
            }
        }
    }

    [Fact]
    public void A_learned_frame_scores_zero_and_the_score_grows_with_the_distance_of_the_worst_cell()
    {
        var videos = RandomVideos(2, 30, seed: 1);
        var model = Learn(videos);
        var known = videos[1][7];

        Assert.Equal(0f, Score(model, known));
        var near = Score(model, Shifted(known, cell: 3, by: 5));
        var far = Score(model, Shifted(known, cell: 3, by: 50));
        Assert.InRange(near, 1f, far);
        Assert.True(far > model.Threshold);

        // The frame's score is the worst cell's: a smaller deviation elsewhere changes nothing.
        Assert.Equal(far, Score(model, Shifted(Shifted(known, cell: 3, by: 50), cell: 0, by: 5)));
    }

    [Fact]
    public void Threshold_is_the_quantile_of_scores_held_out_by_video()
    {
        // Identical videos: each is perfectly known to the other, so every held-out score is 0.
        var same = RandomVideos(1, 20, seed: 2);
        Assert.Equal(0, Learn([same[0], same[0]]).Threshold);

        // A video of zeros and one of ones: every value is 0 or 1 half the time, so each kind of feature
        // has standard deviation 0.5 (scale 2), and held out, every frame is sqrt(14 · 2²) from the other video.
        var zeros = Enumerable.Range(0, 10).Select(_ => Constant(0)).ToList();
        var ones = Enumerable.Range(0, 10).Select(_ => Constant(1)).ToList();
        var model = Learn([zeros, ones]);

        Assert.Equal(Math.Sqrt(56), model.Threshold, 5);
        Assert.Equal(2, model.HoldOutGroups);
        Assert.Equal(0f, Score(model, Constant(1)));
    }

    [Fact]
    public void One_video_is_held_out_in_halves()
    {
        var model = Learn(RandomVideos(1, 40, seed: 3));

        Assert.Equal(2, model.HoldOutGroups);
        Assert.True(model.Threshold > 0);
    }

    [Fact]
    public void Frames_above_the_cap_are_thinned_evenly()
    {
        var model = Learn(RandomVideos(3, 20, seed: 4), new MotionNormalityOptions { MaxFrames = 10 });

        Assert.Equal(10, model.Frames);
        Assert.Equal(60, model.TrainingFrames);
        Assert.Equal(3, model.TrainingVideos);
        Assert.Equal(10L * Small.FeatureLength * sizeof(float), model.MemoryBytes - (Small.FeaturesPerCell * sizeof(float)));
    }

    [Fact]
    public void Learning_refuses_too_little_footage_and_features_of_another_length()
    {
        Assert.Throws<ArgumentException>(() => Learn([[Constant(0)]]));
        Assert.Throws<ArgumentException>(() => Learn([[Constant(0), new float[3]]]));
    }

    [Fact]
    public void Save_and_load_give_the_same_model()
    {
        var videos = RandomVideos(3, 25, seed: 5);
        var model = Learn(videos);
        var path = _dir.File("cam-1.motion");

        MotionStateFile.Save(model, path);
        var loaded = MotionStateFile.Load(path, Small);

        Assert.Equal(model.CameraId, loaded.CameraId);
        Assert.Equal(Created, loaded.CreatedAt);
        Assert.Equal(Small, loaded.FeatureOptions);
        Assert.Equal(model.Threshold, loaded.Threshold);
        Assert.Equal(model.ThresholdQuantile, loaded.ThresholdQuantile);
        Assert.Equal(model.SmoothingFrames, loaded.SmoothingFrames);
        Assert.Equal(model.Frames, loaded.Frames);
        Assert.Equal(model.TrainingFrames, loaded.TrainingFrames);
        Assert.Equal(model.TrainingVideos, loaded.TrainingVideos);
        Assert.Equal(model.HoldOutGroups, loaded.HoldOutGroups);
        var random = new Random(6);
        for (var i = 0; i < 10; i++)
        {
            var query = Frame(random);
            Assert.Equal(Score(model, query), Score(loaded, query));
        }
    }

    [Fact]
    public void A_state_learned_with_other_feature_settings_is_refused()
    {
        var path = _dir.File("cam-1.motion");
        MotionStateFile.Save(Learn(RandomVideos(2, 10, seed: 7)), path);

        var error = Assert.Throws<InvalidDataException>(() => MotionStateFile.Load(path, Small with { FlowWindowSize = 21 }));

        Assert.Contains("other motion feature settings", error.Message);
        Assert.Contains("Learn it again", error.Message);
    }

    [Fact]
    public void Damaged_foreign_or_future_files_are_refused()
    {
        var path = _dir.File("cam-1.motion");
        MotionStateFile.Save(Learn(RandomVideos(2, 10, seed: 8)), path);
        var bytes = File.ReadAllBytes(path);

        File.WriteAllBytes(_dir.File("truncated"), bytes[..^5]);
        Assert.Contains("truncated", Assert.Throws<InvalidDataException>(() => MotionStateFile.Load(_dir.File("truncated"))).Message);

        var future = bytes.ToArray();
        future[8] = (byte)(MotionStateFile.FormatVersion + 1); // the version follows the 8-byte magic
        File.WriteAllBytes(_dir.File("future"), future);
        Assert.Contains("format version", Assert.Throws<InvalidDataException>(() => MotionStateFile.Load(_dir.File("future"))).Message);

        var foreign = _dir.Write("foreign", "{\"not\": \"a state file\"}");
        Assert.Throws<InvalidDataException>(() => MotionStateFile.Load(foreign));

        File.WriteAllBytes(_dir.File("trailing"), [.. bytes, 0]);
        Assert.Throws<InvalidDataException>(() => MotionStateFile.Load(_dir.File("trailing")));
    }
}
