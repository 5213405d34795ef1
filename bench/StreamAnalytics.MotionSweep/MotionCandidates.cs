using StreamAnalytics.Heads.Motion;

namespace StreamAnalytics.MotionSweep;

/// <summary>
/// The candidates of issue 10 item 3 ("cheaper motion"), fixed in code so a rerun measures the same list. The
/// first is the reference (the defaults before the issue: 360x240, Farneback pyramid 0.5 x 3 levels, window 15,
/// 3 iterations, polyN 5, sigma 1.2). The others make the flow cheaper in two ways, alone or together:
/// <list type="bullet">
/// <item>fewer Farneback levels or iterations, or a smaller window, at the same analysis size;</item>
/// <item>a smaller analysis size, with cell size, cell stride and the speed bins' base scaled with it, so a cell
/// covers the same part of the scene and a speed bin the same speeds in source pixels (only the flow resolution
/// changes). The Farneback window is either kept (it then covers more of the scene) or scaled too.</item>
/// </list>
/// </summary>
internal static class MotionCandidates
{
    public static IReadOnlyList<MotionCandidate> All { get; } =
    [
        Make(1.0, 3, 15, 3, "reference (defaults before issue 10 item 3)"),
        Make(1.0, 3, 15, 1, "1 iteration"),
        Make(1.0, 1, 9, 1, "1 level, window 9, 1 iteration"),
        Make(0.75, 2, 11, 1, "x0.75, 2 levels, window scaled, 1 iteration"),
        Make(2.0 / 3, 3, 15, 3, "x2/3, Farneback as the reference"),
        Make(2.0 / 3, 2, 9, 1, "x2/3, 2 levels, window scaled, 1 iteration"),
        Make(2.0 / 3, 1, 9, 1, "x2/3, 1 level, window scaled, 1 iteration"),
        Make(0.6, 2, 9, 1, "x0.6, 2 levels, window 9, 1 iteration"),
        Make(0.6, 1, 9, 1, "x0.6, 1 level, window 9, 1 iteration"),
        Make(8.0 / 15, 2, 7, 1, "x8/15 (192x128), 2 levels, window 7, 1 iteration"),
        Make(8.0 / 15, 1, 7, 1, "x8/15 (192x128), 1 level, window 7, 1 iteration"),
        Make(0.5, 3, 15, 3, "x0.5, Farneback as the reference"),
        Make(0.5, 2, 7, 2, "x0.5, 2 levels, window scaled, 2 iterations"),
        Make(0.5, 2, 7, 1, "x0.5, 2 levels, window scaled, 1 iteration"),
        Make(0.5, 1, 7, 1, "x0.5, 1 level, window scaled, 1 iteration"),
        Make(0.5, 1, 15, 1, "x0.5, 1 level, window 15, 1 iteration"),
    ];

    /// <summary>
    /// The reference scaled by <paramref name="scale"/> (analysis size, cell size and stride, speed-bin base) with
    /// the given Farneback levels, window and iterations.
    /// </summary>
    public static MotionCandidate Make(double scale, int levels, int window, int iterations, string description)
    {
        // Every setting spelled out: the product's defaults are what this sweep chooses, so they cannot be the reference.
        var options = new MotionFeatureOptions
        {
            DirectionBins = 8,
            MagnitudeBins = 5,
            FlowPyramidScale = 0.5,
            FlowPolyN = 5,
            FlowPolySigma = 1.2,
            AnalysisWidth = (int)Math.Round(360 * scale),
            AnalysisHeight = (int)Math.Round(240 * scale),
            CellSize = (int)Math.Round(64 * scale),
            CellStride = (int)Math.Round(32 * scale),
            MagnitudeBase = (float)scale,
            FlowLevels = levels,
            FlowWindowSize = window,
            FlowIterations = iterations,
        };
        var name = string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{options.AnalysisWidth}x{options.AnalysisHeight} L{levels} W{window} I{iterations}");
        return new MotionCandidate(name, description, options);
    }
}
