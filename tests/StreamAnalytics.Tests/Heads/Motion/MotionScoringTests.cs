using StreamAnalytics.Configuration;
using StreamAnalytics.Configuration.Validation;
using StreamAnalytics.Heads.Motion;

namespace StreamAnalytics.Tests.Heads.Motion;

public sealed class MotionScoringTests
{
    /// <summary>2x2 cells of 14 features, each cell a quarter of the frame.</summary>
    private static readonly MotionFeatureOptions Small = new() { AnalysisWidth = 64, AnalysisHeight = 64, CellSize = 32, CellStride = 32 };

    private static MotionNormalityModel Zeros()
    {
        // Learned on frames of all zeros and all ones: each kind of feature has deviation 0.5, so scale 2.
        var zeros = Enumerable.Range(0, 10).Select(_ => new float[Small.FeatureLength]).ToList();
        var ones = Enumerable.Range(0, 10).Select(_ => Enumerable.Repeat(1f, Small.FeatureLength).ToArray()).ToList();
        return MotionNormalityLearner.Learn([zeros, ones], Small, new MotionNormalityOptions(), "cam", DateTimeOffset.UnixEpoch);
    }

    /// <summary>A frame of zeros except the given cells, whose first feature takes the given value.</summary>
    private static float[] With(params (int Cell, float Value)[] cells)
    {
        var features = new float[Small.FeatureLength];
        foreach (var (cell, value) in cells)
        {
            features[cell * Small.FeaturesPerCell] = value;
        }

        return features;
    }

    [Fact]
    public void Min_cells_scores_the_nth_most_unusual_cell_so_one_small_thing_alone_does_not_count()
    {
        var model = Zeros();
        var scratch = new float[model.ScratchLength];

        // One cell 3 above its nearest learned value (scaled by 2: 6), another 1 above (2).
        var frame = With((0, 3f), (3, -1f));

        Assert.Equal(6f, model.Score(frame, scratch), 4);
        Assert.Equal(2f, model.Score(frame, scratch, minCells: 2), 4);
        Assert.Equal(0f, model.Score(frame, scratch, minCells: 3), 4);
    }

    [Fact]
    public void A_zone_weighs_its_cells_by_its_sensitivity_over_the_cameras()
    {
        var model = Zeros();
        var scratch = new float[model.ScratchLength];
        var scoring = new MotionScoring
        {
            Sensitivity = 2,

            // The top-left quarter: cell 0 only. Ignored there (0); elsewhere the camera's own sensitivity (weight 1).
            Zones = [([[0.0, 0.0], [0.5, 0.0], [0.5, 0.5], [0.0, 0.5]], 0.0)],
        };

        var weights = scoring.CellWeights(Small);

        Assert.Equal([0f, 1f, 1f, 1f], weights);
        Assert.Equal(0f, model.Score(With((0, 3f)), scratch, weights), 4);
        Assert.Equal(6f, model.Score(With((1, 3f)), scratch, weights), 4);
        Assert.Empty(MotionScoring.Default.CellWeights(Small));
    }

    [Fact]
    public void Sensitivity_divides_the_heads_threshold_and_leaves_the_learned_one_alone()
    {
        var model = Zeros();
        using var plain = new MotionAnomalyHead(model);
        using var keen = new MotionAnomalyHead(model, new MotionScoring { Sensitivity = 2 });

        Assert.Equal(model.Threshold, plain.Threshold);
        Assert.Equal(model.Threshold / 2, keen.Threshold);
    }

    [Fact]
    public void Invalid_sensitivities_zones_min_cells_and_lasting_change_are_each_reported_naming_the_camera()
    {
        var camera = new CameraOptions
        {
            Id = "yard",
            MotionSensitivity = 0,
            MotionLastingChangeMinutes = 20_000,
            MotionZones = [new MotionZoneOptions { Name = "tree", Points = [[0.1, 0.1], [0.2, 0.1]], Sensitivity = -1 }],
        };
        var errors = new List<string>();

        MotionRules.CheckCamera(camera, "Cameras[0] (camera 'yard')", errors);
        MotionRules.Check(new MotionOptions { MinCells = 0, MaxFps = -1, LastingChangeMinutes = -1 }, errors);

        Assert.Equal(7, errors.Count);
        Assert.Contains("Cameras[0] (camera 'yard'): MotionLastingChangeMinutes must be between 0 (never) and 10080 (got 20000).", errors);
        Assert.Contains("Detection.Motion.LastingChangeMinutes must be between 0 (never) and 10080 (got -1).", errors);
        Assert.Contains(errors, e => e.StartsWith("Detection.Motion.MaxFps must be between 0 (every frame) and 120 (got -1)", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Cameras[0] (camera 'yard'): MotionSensitivity must be above 0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Cameras[0] (camera 'yard'): MotionZones[0] ('tree'): Sensitivity must be between 0", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Cameras[0] (camera 'yard'): MotionZones[0] ('tree'): a polygon needs at least 3 points", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.StartsWith("Detection.Motion.MinCells must be between 1 and 16", StringComparison.Ordinal));
    }
}
