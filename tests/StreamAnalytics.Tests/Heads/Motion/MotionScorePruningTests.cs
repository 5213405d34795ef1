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
