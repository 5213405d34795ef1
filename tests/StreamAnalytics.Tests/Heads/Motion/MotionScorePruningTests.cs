using StreamAnalytics.Heads.Motion;

namespace StreamAnalytics.Tests.Heads.Motion;

/// <summary>
/// <see cref="MotionNormalityModel.Score"/> skips cells whose bound cannot reach the score; the score must be what
/// comparing every cell with every stored frame gives.
/// </summary>
public sealed class MotionScorePruningTests
{
    // 4 x 3 cells of 14 features.
    private static readonly MotionFeatureOptions Options = new() { AnalysisWidth = 128, AnalysisHeight = 96, CellSize = 32, CellStride = 32 };

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, true)]
    [InlineData(1, true)]
    public void Pruned_score_equals_the_exhaustive_one_on_scenes_where_most_cells_are_still(int minCells, bool weighted)
    {
        var random = new Random(17);
        var videos = Enumerable.Range(0, 3).Select(_ => Enumerable.Range(0, 120).Select(_ => Frame(random, movingCells: 2)).ToList()).ToList();
        var model = MotionNormalityLearner.Learn([.. videos.Select(v => (IReadOnlyList<float[]>)v)], Options, new MotionNormalityOptions(), "cam", DateTimeOffset.UnixEpoch);
        var weights = weighted ? Enumerable.Range(0, Options.CellCount).Select(i => (float)(0.5 + (i % 3 * 0.5))).ToArray() : [];
        var scratch = new float[model.ScratchLength];
        var differing = 0;
        for (var i = 0; i < 300; i++)
        {
            // Normal-looking frames, frames with one wild cell, and frames where everything moves.
            var query = Frame(random, movingCells: i % 3 == 0 ? Options.CellCount : 2, wild: i % 5 == 0);
            var expected = Exhaustive(model, query, weights, minCells);
            var actual = model.Score(query, scratch, weights, minCells);
            Assert.Equal(expected, actual, 4);
            differing += expected > 0 ? 1 : 0;
        }

        Assert.True(differing > 250, "the queries should mostly score above zero, or the test shows nothing");
    }

    [Theory]
    [InlineData(1, false, 360)]
    [InlineData(2, true, 360)]
    [InlineData(3, false, 9)] // fewer stored frames than a vector holds: the scalar loop alone
    [InlineData(1, true, 45)]
    public void The_score_is_to_the_bit_what_every_cell_against_every_stored_frame_gives_with_the_products_own_distances(int minCells, bool weighted, int storedFrames)
    {
        // The score stops a cell's pass at the first stored frame within the score so far; the result must not move by a bit
        // from the full passes of Distances, weighted and ranked as Score always did.
        var random = new Random(23 + storedFrames);
        var videos = Enumerable.Range(0, 3).Select(_ => (IReadOnlyList<float[]>)[.. Enumerable.Range(0, storedFrames / 3).Select(_ => Frame(random, movingCells: 2))]).ToList();
        var model = MotionNormalityLearner.Learn([.. videos], Options, new MotionNormalityOptions(), "cam", DateTimeOffset.UnixEpoch);
        Assert.Equal(storedFrames / 3 * 3, model.Frames);
        var weights = weighted ? Enumerable.Range(0, Options.CellCount).Select(i => (float)(0.5 + (i % 3 * 0.5))).ToArray() : [];
        var scratch = new float[model.ScratchLength];
        var perCell = Options.FeaturesPerCell;
        var distances = new float[model.Frames];
        var query = new float[perCell];
        for (var i = 0; i < 200; i++)
        {
            var features = Frame(random, movingCells: i % 4 == 0 ? Options.CellCount : 2, wild: i % 5 == 0);
            var nearest = new float[Options.CellCount];
            for (var cell = 0; cell < Options.CellCount; cell++)
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(features.AsSpan(cell * perCell, perCell), model.Scales, query);
                model.Distances(cell, query, distances);
                nearest[cell] = distances.Min();
                if (weighted)
                {
                    nearest[cell] *= weights[cell] * weights[cell];
                }
            }

            var expected = MathF.Sqrt(nearest.OrderByDescending(x => x).ElementAt(minCells - 1));
            Assert.Equal(expected, model.Score(features, scratch, weights, minCells));
        }
    }

    [Fact]
    public void Scoring_allocates_nothing_after_the_first_call()
    {
        var random = new Random(5);
        var model = MotionNormalityLearner.Learn([Enumerable.Range(0, 200).Select(_ => Frame(random, movingCells: 2)).ToList()], Options, new MotionNormalityOptions(), "cam", DateTimeOffset.UnixEpoch);
        var scratch = new float[model.ScratchLength];
        var query = Frame(random, movingCells: 3, wild: true);
        var first = model.Score(query, scratch, minCells: 2);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var again = 0f;
        for (var i = 0; i < 100; i++)
        {
            again = model.Score(query, scratch, minCells: 2);
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(first, again);
    }

    private static float[] Frame(Random random, int movingCells, bool wild = false)
    {
        var features = new float[Options.FeatureLength];
        for (var cell = 0; cell < Options.CellCount; cell++)
        {
            var moving = cell < movingCells;
            for (var d = 0; d < Options.FeaturesPerCell; d++)
            {
                // A still cell: mostly its "no motion" bin and a little noise. A moving one: spread over bins.
                var value = moving ? random.NextSingle() : (d == Options.DirectionBins ? 1f : 0f) + (0.02f * random.NextSingle());
                features[(cell * Options.FeaturesPerCell) + d] = value;
            }
        }

        if (wild)
        {
            features[random.Next(Options.FeatureLength)] += 5f;
        }

        return features;
    }

    private static float Exhaustive(MotionNormalityModel model, float[] query, float[] weights, int minCells)
    {
        var perCell = Options.FeaturesPerCell;
        var nearest = new List<float>();
        for (var cell = 0; cell < Options.CellCount; cell++)
        {
            var best = float.PositiveInfinity;
            for (var f = 0; f < model.Frames; f++)
            {
                var sum = 0f;
                for (var d = 0; d < perCell; d++)
                {
                    var stored = model.Vectors[(((cell * perCell) + d) * model.Frames) + f];
                    var difference = stored - (query[(cell * perCell) + d] * model.Scales[d]);
                    sum += difference * difference;
                }

                best = MathF.Min(best, sum);
            }

            var weight = weights.Length == 0 ? 1f : weights[cell];
            nearest.Add(best * weight * weight);
        }

        return MathF.Sqrt(nearest.OrderByDescending(x => x).ElementAt(minCells - 1));
    }
}
