namespace StreamAnalytics.Heads.Motion;

/// <summary>
/// How <see cref="MotionFeatureExtractor"/> turns two consecutive frames into per-cell motion vectors.
/// A learned motion model is only valid for the exact settings it was learned with, so these values
/// are written into its state file and compared on load (record equality).
/// </summary>
internal sealed record MotionFeatureOptions
{
    /// <summary>
    /// Bumped whenever the feature computation changes in a way the settings below do not express,
    /// so state files learned by older code are refused instead of silently mis-scored. Version 2
    /// (issue 10 item 3): a larger frame is converted to grey before it is resized, and halved by
    /// 2x2 averaging before the final area resize; cells sum per-atom totals (another summation order).
    /// </summary>
    public const int CurrentAlgorithmVersion = 2;

    public int AlgorithmVersion { get; init; } = CurrentAlgorithmVersion;

    /// <summary>
    /// Frames are resized to this grayscale size before optical flow. 180x120 since issue 10 item 3: with the flow
    /// settings below, 2.4 ms per 1280x720 frame on one thread of the 2-core VM, where 360x240 (Ped2's own size,
    /// pyramid 3 levels, window 15, 3 iterations) cost 13.6 ms on a quiet day. It costs accuracy: Ped2 test frame AUC
    /// 0.946 against 0.968, held-out training scores rank-correlated 0.886 with 360x240's. The median moving pixel
    /// travels about 0.6 px per frame at this size, too little for Farneback to tell a cyclist from a fast walker as
    /// well as at 360x240. Every setting of the cost sweep is in docs/models.md ("Cheaper motion").
    /// </summary>
    public int AnalysisWidth { get; init; } = 180;

    public int AnalysisHeight { get; init; } = 120;

    /// <summary>Side of a square cell in analysis pixels: about a sixth of the frame width (smaller cells were noisier).</summary>
    public int CellSize { get; init; } = 32;

    /// <summary>
    /// Largest step between cell origins. Cells overlap by half so an object on a cell border is still
    /// seen whole by one cell; origins are spread evenly so the grid ends flush with the frame.
    /// </summary>
    public int CellStride { get; init; } = 16;

    /// <summary>Flow-direction histogram bins (magnitude-weighted), centred on 0°, 360/n°, …</summary>
    public int DirectionBins { get; init; } = 8;

    /// <summary>Speed histogram bins: [b, 2b), [2b, 4b), …, the last one open-ended, with b = <see cref="MagnitudeBase"/>.</summary>
    public int MagnitudeBins { get; init; } = 5;

    /// <summary>
    /// Analysis pixels per frame below which a pixel counts as still (flow noise on static background): 0.5 at
    /// 180x120, the same speed in the scene as 1 px at 360x240.
    /// </summary>
    public float MagnitudeBase { get; init; } = 0.5f;

    public double FlowPyramidScale { get; init; } = 0.5;

    /// <summary>
    /// Farneback pyramid levels. OpenCV stops adding levels below 32 px on the short side, so at 180x120 2 and 1
    /// compute the same flow (the sweep's scores were identical).
    /// </summary>
    public int FlowLevels { get; init; } = 2;

    /// <summary>Farneback averaging window: 7 at 180x120, about the scene area 15 covered at 360x240.</summary>
    public int FlowWindowSize { get; init; } = 7;

    /// <summary>Farneback iterations per pyramid level: 1. Two cost 0.7 ms more at 180x120 (3.1 ms, over the budget) for held-out scores barely closer to 360x240's.</summary>
    public int FlowIterations { get; init; } = 1;

    public int FlowPolyN { get; init; } = 5;

    public double FlowPolySigma { get; init; } = 1.2;

    /// <summary>
    /// At most this many measurements a second (up to 30% more, see MotionFeatureExtractor.Admit): a camera is measured on every n-th frame, against the last
    /// measured one, so under 10 a 10 or 12 fps camera is measured on every frame, a 15 or 20 fps one on every second and a 25
    /// or 30 fps one on every third. 0 measures every frame. Part of the features because the flow spans the time between
    /// measurements. The frames in between repeat the last score. <c>Detection.Motion.MaxFps</c> sets it live (the same
    /// default, 10).
    /// </summary>
    public double MaxFps { get; init; } = Configuration.MotionOptions.DefaultMaxFps;

    /// <summary>Direction bins, speed bins, then the mean absolute frame difference.</summary>
    public int FeaturesPerCell => DirectionBins + MagnitudeBins + 1;

    public int Columns => CellCount1D(AnalysisWidth);

    public int Rows => CellCount1D(AnalysisHeight);

    public int CellCount => Columns * Rows;

    /// <summary>Floats per frame: cell-major, <see cref="FeaturesPerCell"/> per cell, cells row by row.</summary>
    public int FeatureLength => CellCount * FeaturesPerCell;

    /// <summary>Origin of cell <paramref name="index"/> along an axis of <paramref name="length"/> pixels.</summary>
    public int CellOrigin(int index, int length)
    {
        var count = CellCount1D(length);
        return count == 1 ? 0 : (int)Math.Round((double)index * (length - CellSize) / (count - 1), MidpointRounding.AwayFromZero);
    }

    /// <summary>Every problem with these settings; empty when they are usable.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (AlgorithmVersion != CurrentAlgorithmVersion)
        {
            problems.Add($"feature algorithm version {AlgorithmVersion} is not this build's ({CurrentAlgorithmVersion})");
        }

        if (AnalysisWidth < 16 || AnalysisHeight < 16 || AnalysisWidth > 4096 || AnalysisHeight > 4096)
        {
            problems.Add($"analysis size {AnalysisWidth}x{AnalysisHeight} must be between 16 and 4096 on each side");
        }

        if (CellSize < 4 || CellSize > Math.Min(AnalysisWidth, AnalysisHeight))
        {
            problems.Add($"cell size {CellSize} must be at least 4 and fit the analysis size");
        }

        if (CellStride < 1 || CellStride > CellSize)
        {
            problems.Add($"cell stride {CellStride} must be between 1 and the cell size");
        }

        if (DirectionBins < 1 || DirectionBins > 64 || MagnitudeBins < 1 || MagnitudeBins > 16)
        {
            problems.Add("direction bins must be 1..64 and magnitude bins 1..16");
        }

        if (!(MagnitudeBase > 0) || float.IsInfinity(MagnitudeBase))
        {
            problems.Add("magnitude base must be a positive number");
        }

        if (!(FlowPyramidScale is > 0 and < 1) || FlowLevels < 1 || FlowWindowSize < 3 || FlowIterations < 1
            || FlowPolyN is not (5 or 7) || !(FlowPolySigma > 0))
        {
            problems.Add("Farneback settings are out of range (pyramid scale in (0,1), levels ≥ 1, window ≥ 3, iterations ≥ 1, polyN 5 or 7, polySigma > 0)");
        }

        if (!(MaxFps is >= 0 and <= 120))
        {
            problems.Add($"measurements per second {MaxFps} must be between 0 (every frame) and 120");
        }

        return problems;
    }

    private int CellCount1D(int length) =>
        length <= CellSize || CellStride <= 0 ? 1 : ((length - CellSize + CellStride - 1) / CellStride) + 1;
}
