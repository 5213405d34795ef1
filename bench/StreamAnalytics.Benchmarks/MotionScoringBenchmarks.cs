using BenchmarkDotNet.Attributes;
using StreamAnalytics.Heads.Motion;

namespace StreamAnalytics.Benchmarks;

/// <summary>
/// The motion head's nearest-neighbour scoring of one frame against a full live model (3,000 stored frames, the default
/// <c>MaxFrames</c>, 77 cells at the default features). The scene is what a surveillance camera mostly sees: 70 still
/// cells (their "no motion" bin and a little noise) and 7 where people walk. <see cref="Bounded"/> is the
/// shipped <see cref="MotionNormalityModel.Score"/>, which skips cells whose anchor bound cannot reach the score;
/// <see cref="Exhaustive"/> compares every cell with every stored frame, as scoring did before, for the ratio.
/// <see cref="Query"/> "normal" is a frame like the learned ones; "unusual" adds fast motion in 3 still cells.
/// </summary>
[MemoryDiagnoser]
public class MotionScoringBenchmarks
{
    private const int Frames = 3000;
    private const int MovingCells = 7;
    private MotionNormalityModel _model = null!;
    private float[] _scratch = null!;
    private float[] _query = null!;
    private float[] _distances = null!;
    private float[] _scaled = null!;

    [Params("normal", "unusual")]
    public string Query { get; set; } = "normal";

    [GlobalSetup]
    public void Setup()
    {
        var options = new MotionFeatureOptions();
        var random = new Random(11);
        var frames = Enumerable.Range(0, Frames).Select(_ => Frame(options, random, unusual: false)).ToList();
        _model = MotionNormalityLearner.Learn([frames], options, new MotionNormalityOptions { MaxFrames = Frames }, "bench", DateTimeOffset.UnixEpoch);
        _scratch = new float[_model.ScratchLength];
        _query = Frame(options, random, unusual: Query == "unusual");
        _distances = new float[_model.Frames];
        _scaled = new float[options.FeaturesPerCell];
    }

    [Benchmark(Baseline = true)]
    public float Exhaustive()
    {
        var perCell = _model.FeatureOptions.FeaturesPerCell;
        var largest = 0f;
        for (var cell = 0; cell < _model.FeatureOptions.CellCount; cell++)
        {
            System.Numerics.Tensors.TensorPrimitives.Multiply(_query.AsSpan(cell * perCell, perCell), _model.Scales, _scaled);
            _model.Distances(cell, _scaled, _distances);
            largest = MathF.Max(largest, System.Numerics.Tensors.TensorPrimitives.Min(_distances));
        }

        return MathF.Sqrt(largest);
    }

    [Benchmark]
    public float Bounded() => _model.Score(_query, _scratch);

    private static float[] Frame(MotionFeatureOptions options, Random random, bool unusual)
    {
        var perCell = options.FeaturesPerCell;
        var features = new float[options.FeatureLength];
        for (var cell = 0; cell < options.CellCount; cell++)
        {
            var moving = cell % (options.CellCount / MovingCells) == 0 && cell / (options.CellCount / MovingCells) < MovingCells;
            var fast = unusual && cell is 7 or 21 or 33;
            for (var d = 0; d < perCell; d++)
            {
                features[(cell * perCell) + d] = fast ? 3 * random.NextSingle()
                    : moving ? random.NextSingle()
                    : (d == options.DirectionBins ? 1f : 0f) + (0.03f * random.NextSingle());
            }
        }

        return features;
    }
}
