using StreamAnalytics.Configuration;
using StreamAnalytics.Contracts;
using StreamAnalytics.Heads;
using StreamAnalytics.Heads.Appearance;
using StreamAnalytics.Inference;
using StreamAnalytics.Tests.Fakes;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Heads.Appearance;

/// <summary>
/// <c>Detection.Anomaly.Regions</c>: the window's mean feature map, cell by cell, against the same cell of the normal
/// windows, on a per-cell scale held out by halves of the calibration. Maps here are 4 channels x 6 cells, channel-major
/// as ONNX lays out C×H×W; every cell of the scene has its own direction, and each window its own small noise.
/// </summary>
public sealed class RegionAppearanceTests : IDisposable
{
    private const int Channels = 4;
    private const int Cells = 6;
    private const int Frames = 2;

    private static readonly ModelInputSpec Input = new("x", TensorLayout.Nchw, 1, new FrameTensorFormat(8, 8, ColorOrder.Rgb, 1f, [0, 0, 0], [1, 1, 1]));

    private static readonly ModelManifest Backbone = new(
        "backbone", "1.0", "/models/b/model.json", "/models/b/b.onnx", Input,
        [new ModelOutputSpec("pooled", OutputRole.Embedding, []), new ModelOutputSpec("map", OutputRole.FeatureMap, [])]);

    private static readonly RegionLayout Layout = new(1, Channels, Channels, Cells);

    private static readonly DateTimeOffset Start = new(2026, 12, 7, 8, 0, 0, TimeSpan.Zero);

    private readonly TempDirectory _state = new();

    public void Dispose() => _state.Dispose();

    private static AnomalyOptions Options(int minCells) => new() { Regions = true, CalibrationWindows = 8, RegionMinCells = minCells };

    /// <summary>The scene's map with window <paramref name="seed"/>'s noise; <paramref name="changed"/> cells point another way.</summary>
    private static float[] Map(int seed, params int[] changed)
    {
        var random = new Random(seed);
        var map = new float[Channels * Cells];
        for (var c = 0; c < Cells; c++)
        {
            for (var k = 0; k < Channels; k++)
            {
                // Cell c points along channel c % 4 (and a little along the next), a changed cell along the one opposite.
                var along = changed.Contains(c) ? (c + 2) % Channels : c % Channels;
                var value = k == along ? 1f : k == (along + 1) % Channels ? 0.5f : 0f;
                map[(k * Cells) + c] = value + (0.05f * (float)random.NextDouble());
            }
        }

        return map;
    }

    /// <summary>A window of <see cref="Frames"/> frames that each hold the embedding (ignored here) and then <paramref name="map"/>.</summary>
    private static Window WindowOf(float[] map)
    {
        var slots = new FrameSlotPool(Input.Format);
        var window = new WindowPool("gate", Frames).Rent();
        for (var t = 0; t < Frames; t++)
        {
            var slot = slots.Rent();
            var features = slot.EnsureFeatures(Channels + map.Length);
            features[..Channels].Fill(1f);
            map.CopyTo(features[Channels..]);
            slot.MarkFeaturesReady();
            window.Frames[t] = slot;
        }

        return window;
    }

    private static List<HeadResult> Evaluate(AppearanceWindowHead head, float[] map, int index)
    {
        var results = new List<HeadResult>();
        head.Evaluate(new WindowOutputs("gate", index, Start + TimeSpan.FromSeconds(index), Backbone, [new float[Channels], []], WindowOf(map)), results);
        return results;
    }

    private static float[] Prepared(RegionMetric metric, float[] map)
    {
        var cells = new float[map.Length];
        metric.Prepare(map, cells);
        return cells;
    }

    private static HeadResult Scored(AppearanceWindowHead head, float[] map, int index) => Assert.Single(Evaluate(head, map, index));

    private AppearanceWindowHead Calibrated(AnomalyOptions options, CapturingLogger? log = null)
    {
        var head = new AppearanceWindowHead(options, log ?? new CapturingLogger(), _state.Path, regions: Layout);
        for (var i = 0; i < options.CalibrationWindowCount; i++)
        {
            Assert.Empty(Evaluate(head, Map(i), i));
        }

        return head;
    }

    [Fact]
    public void Prepare_takes_each_cell_out_of_the_channel_major_map_at_unit_length()
    {
        var metric = new RegionMetric(Channels, Cells, 1);
        var map = Map(1);

        var cells = Prepared(metric, map);

        for (var c = 0; c < Cells; c++)
        {
            var cell = cells.AsSpan(c * Channels, Channels);
            Assert.Equal(1.0, System.Numerics.Tensors.TensorPrimitives.Norm(cell), 5);
            var expected = Enumerable.Range(0, Channels).Select(k => map[(k * Cells) + c]).ToArray();
            var norm = Math.Sqrt(expected.Sum(v => (double)v * v));
            for (var k = 0; k < Channels; k++)
            {
                Assert.Equal(expected[k] / norm, cell[k], 5);
            }
        }
    }

    [Fact]
    public void A_cells_scale_is_a_high_quantile_of_the_distances_to_the_nearest_window_of_the_other_half()
    {
        var metric = new RegionMetric(Channels, Cells, 1);
        var normal = Enumerable.Range(0, 8).Select(i => Prepared(metric, Map(i))).ToList();

        metric.Calibrate(normal);

        var scales = Assert.IsAssignableFrom<IReadOnlyList<double>>(metric.Scales);
        for (var c = 0; c < Cells; c++)
        {
            double Distance(int i, int j) => 1.0 - System.Numerics.Tensors.TensorPrimitives.Dot(normal[i].AsSpan(c * Channels, Channels), normal[j].AsSpan(c * Channels, Channels));
            var heldOut = Enumerable.Range(0, 8).Select(i => Enumerable.Range(0, 8).Where(j => (i < 4) != (j < 4)).Min(j => Distance(i, j))).Order().ToArray();

            // The 0.9 quantile of 8 values lies 0.3 of the way from the 7th to the 8th.
            var expected = heldOut[6] + (0.3 * (heldOut[7] - heldOut[6]));
            Assert.Equal(Math.Max(RegionMetric.MinScale, expected), scales[c], 12);
        }

        // Learned once: a refreshed set does not move it.
        metric.Calibrate([.. normal.Take(4), .. normal.Take(4)]);
        Assert.Same(scales, metric.Scales);
    }

    [Fact]
    public void One_changed_cell_alerts_with_MinCells_1_and_takes_two_with_MinCells_2()
    {
        using var one = Calibrated(Options(minCells: 1));
        Assert.False(Scored(one, Map(100), 8).Above);
        var single = Scored(one, Map(101, changed: 3), 9);
        Assert.True(single.Above, $"score {single.Score}");
        Assert.Equal(AppearanceWindowHead.RegionHeadName, single.Head);
        Assert.Equal(2.0, single.Threshold);

        using var two = new AppearanceWindowHead(Options(minCells: 2), new CapturingLogger(), stateDirectory: null, regions: Layout);
        for (var i = 0; i < 8; i++)
        {
            Evaluate(two, Map(i), i);
        }

        Assert.False(Scored(two, Map(100), 8).Above);
        Assert.False(Scored(two, Map(101, changed: 3), 9).Above);
        Assert.True(Scored(two, Map(102, changed: [3, 4]), 10).Above);
    }

    [Fact]
    public void A_region_calibration_is_saved_with_its_scales_and_a_restart_scores_as_before()
    {
        var log = new CapturingLogger();
        HeadResult before;
        using (var first = Calibrated(Options(minCells: 2), log))
        {
            before = Scored(first, Map(101, changed: [3, 4]), 8);
        }

        var path = AppearanceStateFile.PathFor(_state.Path, "gate");
        var (normal, _, scales) = AppearanceStateFile.Load(path, "gate", "model backbone 1.0, output map of 24");
        Assert.Equal(8, normal.Count);
        Assert.Equal(Cells, scales.Length);

        using var restarted = new AppearanceWindowHead(Options(minCells: 2), log, _state.Path, regions: Layout);
        Assert.Equal(before, Scored(restarted, Map(101, changed: [3, 4]), 9));
        Assert.Contains(log.Entries, e => e.Message.Contains("Camera gate: appearance head resumes from its saved calibration (8 windows, threshold 2.000)", StringComparison.Ordinal));
    }

    [Fact]
    public void A_calibration_of_the_other_kind_is_refused_and_the_camera_calibrates_again()
    {
        var path = AppearanceStateFile.PathFor(_state.Path, "gate");
        using (Calibrated(Options(minCells: 2)))
        {
        }

        // Regions off: the whole-embedding head reads another output, and says why it starts afresh.
        var log = new CapturingLogger();
        using (var whole = new AppearanceWindowHead(new AnomalyOptions { CalibrationWindows = 8 }, log, _state.Path))
        {
            var results = new List<HeadResult>();
            whole.Evaluate(new WindowOutputs("gate", 0, Start, Backbone, [new float[Channels], []], null), results);
            Assert.Empty(results);
            Assert.Equal(1.0 / 8, whole.LearningProgress("gate"));
        }

        Assert.Contains(log.Entries, e => e.Message.Contains("Camera gate: the saved appearance calibration is refused", StringComparison.Ordinal));

        // A file with the region key and no scales (as a format 2 file would read) is refused by the region head.
        var normal = Enumerable.Range(0, 8).Select(i => Prepared(new RegionMetric(Channels, Cells, 1), Map(i))).ToList();
        AppearanceStateFile.Save(path, "gate", "model backbone 1.0, output map of 24", normal, new AnomalySpread(0.1, 0.01));
        log = new CapturingLogger();
        using var regions = new AppearanceWindowHead(Options(minCells: 2), log, _state.Path, regions: Layout);
        Assert.Empty(Evaluate(regions, Map(100), 0));
        Assert.Contains(log.Entries, e => e.Message.Contains("refused (it holds 0 cell scales, where the feature map has 6 cells)", StringComparison.Ordinal));
    }

    [Fact]
    public void Once_its_samples_are_full_a_camera_scores_windows_without_allocating_a_map()
    {
        var metric = new RegionMetric(Channels, Cells, 1);
        var detector = new AnomalyDetector(8, 2.0, 4, 0, TimeSpan.FromHours(1), TimeSpan.FromHours(1), metric);
        var time = Start;
        var quiet = Enumerable.Range(0, 64).Select(i => Map(i)).ToList();
        var changed = Enumerable.Range(0, 64).Select(i => Map(1000 + i, changed: [1, 2, 3])).ToList();

        // Calibration, then enough quiet and alerting windows to fill the reservoir and the change sample (8 each).
        foreach (var map in quiet.Take(8).Concat(quiet.Skip(8).Take(16)).Concat(changed.Take(16)))
        {
            detector.Observe(map, time += TimeSpan.FromSeconds(1));
        }

        // A window's map is 96 bytes here (120 as an array) and a live one 100 KB: a copy of every window a sample keeps would show.
        var before = GC.GetAllocatedBytesForCurrentThread();
        foreach (var map in quiet.Skip(24).Concat(changed.Skip(16)))
        {
            detector.Observe(map, time += TimeSpan.FromSeconds(1));
        }

        var perWindow = (GC.GetAllocatedBytesForCurrentThread() - before) / 88.0;
        Assert.True(perWindow < 32, $"{perWindow:F1} bytes per window");
        Assert.Equal(1, detector.Generation);
    }

    [Fact]
    public void Regions_on_a_backbone_without_a_feature_map_is_a_start_up_problem()
    {
        var options = new StreamAnalyticsOptions();
        options.Detection.Anomaly.Regions = true;
        var pooledOnly = Backbone with { Outputs = [new ModelOutputSpec("pooled", OutputRole.Embedding, [])] };
        var problems = new List<string>();
        using var loggers = new CapturingLoggerFactory(new CapturingLogger());

        using var module = new AppearanceHeadModule();
        module.Check(new HeadContext(options, pooledOnly, loggers), problems);

        var problem = Assert.Single(problems);
        Assert.Contains("Detection.Anomaly.Regions", problem, StringComparison.Ordinal);
        Assert.Contains("model-featuremap.json", problem, StringComparison.Ordinal);

        problems.Clear();
        module.Check(new HeadContext(options, Backbone, loggers), problems);
        Assert.Empty(problems);
    }
}
