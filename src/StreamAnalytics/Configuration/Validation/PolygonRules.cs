using System.Globalization;

namespace StreamAnalytics.Configuration.Validation;

/// <summary>
/// Rules for a camera's masks and zones. A polygon checked only when the first frame arrives would fail
/// after start, on a camera that may then run unmasked: every mistake is caught at start instead.
/// </summary>
internal static class PolygonRules
{
    /// <param name="where">The prefix each message starts with, e.g. "Cameras[0] (camera 'front'): Masks".</param>
    public static void Check(List<PolygonOptions> polygons, string where, ICollection<string> errors)
    {
        for (var p = 0; p < polygons.Count; p++)
        {
            var polygon = polygons[p];
            var name = polygon.Name is { Length: > 0 } n ? $"{where}[{p}] ('{n}')" : $"{where}[{p}]";
            if (polygon.Points.Count < 3)
            {
                errors.Add($"{name}: a polygon needs at least 3 points (got {polygon.Points.Count}).");
                continue;
            }

            var valid = true;
            for (var i = 0; i < polygon.Points.Count; i++)
            {
                var point = polygon.Points[i] ?? [];
                if (point.Length != 2)
                {
                    errors.Add($"{name}: point {i} must be an [x, y] pair (got {point.Length} values).");
                    valid = false;
                }
                else if (!(point[0] is >= 0 and <= 1) || !(point[1] is >= 0 and <= 1))
                {
                    // The negated range test also catches NaN.
                    errors.Add(string.Create(CultureInfo.InvariantCulture, $"{name}: point {i} is ({point[0]}, {point[1]}); x and y are fractions of the frame, between 0 and 1."));
                    valid = false;
                }
            }

            if (valid && Math.Abs(ShoelaceArea(polygon.Points)) < 1e-9)
            {
                errors.Add($"{name}: the points enclose no area (all on one line?).");
            }
        }
    }

    private static double ShoelaceArea(List<double[]> points)
    {
        var twice = 0.0;
        for (var i = 0; i < points.Count; i++)
        {
            var (a, b) = (points[i], points[(i + 1) % points.Count]);
            twice += (a[0] * b[1]) - (b[0] * a[1]);
        }

        return twice / 2;
    }
}
