using StreamAnalytics.Configuration;

namespace StreamAnalytics.Heads.Motion;

/// <summary>
/// How a camera's motion scores are read against the learned threshold, without learning again: its sensitivity (the
/// threshold is the learned one divided by it), per-zone sensitivities (a cell's distance is weighted by its zone's
/// sensitivity over the camera's), and the least number of cells that must be unusual (the frame's score is the
/// distance of its <see cref="MinCells"/>-th most unusual cell).
/// </summary>
internal sealed record MotionScoring
{
    public static readonly MotionScoring Default = new();

    public double Sensitivity { get; init; } = 1;

    public int MinCells { get; init; } = 1;

    /// <summary>Zones in fractions of the frame, each with its sensitivity; a cell takes the first zone holding its centre.</summary>
    public IReadOnlyList<(IReadOnlyList<double[]> Points, double Sensitivity)> Zones { get; init; } = [];

    public static MotionScoring For(CameraOptions camera, MotionOptions motion) => new()
    {
        Sensitivity = camera.MotionSensitivity,
        MinCells = motion.MinCells,
        Zones = [.. camera.MotionZones.Select(z => ((IReadOnlyList<double[]>)z.Points, z.Sensitivity))],
    };

    /// <summary>One weight per cell (zone sensitivity over the camera's, 1 outside zones); empty when every weight is 1.</summary>
    public float[] CellWeights(MotionFeatureOptions features)
    {
        if (Zones.Count == 0)
        {
            return [];
        }

        var weights = new float[features.CellCount];
        for (var row = 0; row < features.Rows; row++)
        {
            for (var column = 0; column < features.Columns; column++)
            {
                var x = (features.CellOrigin(column, features.AnalysisWidth) + (features.CellSize / 2.0)) / features.AnalysisWidth;
                var y = (features.CellOrigin(row, features.AnalysisHeight) + (features.CellSize / 2.0)) / features.AnalysisHeight;
                var weight = 1.0;
                foreach (var (points, sensitivity) in Zones)
                {
                    if (Contains(points, x, y))
                    {
                        weight = sensitivity / Sensitivity;
                        break;
                    }
                }

                weights[(row * features.Columns) + column] = (float)weight;
            }
        }

        return weights;
    }

    /// <summary>Even-odd rule: a ray from the point crosses the polygon's edges an odd number of times when it is inside.</summary>
    private static bool Contains(IReadOnlyList<double[]> polygon, double x, double y)
    {
        var inside = false;
        for (int i = 0, j = polygon.Count - 1; i < polygon.Count; j = i++)
        {
            var (xi, yi, xj, yj) = (polygon[i][0], polygon[i][1], polygon[j][0], polygon[j][1]);
            if ((yi > y) != (yj > y) && x < ((xj - xi) * (y - yi) / (yj - yi)) + xi)
            {
                inside = !inside;
            }
        }

        return inside;
    }
}
