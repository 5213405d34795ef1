using System.Globalization;
using System.Numerics.Tensors;
using StreamAnalytics.Configuration;
using StreamAnalytics.Detection;
using StreamAnalytics.Heads.Appearance;
using StreamAnalytics.Inference;
using StreamAnalytics.Tests.Fakes;
using Xunit.Abstractions;

namespace StreamAnalytics.Tests.Heads.Appearance;

/// <summary>
/// <c>Detection.Anomaly.LastingChangeMinutes</c> on real footage: OpenCV's street scene (vtest.avi, the demo's camera)
/// looped for 14.5 minutes, with a box the size of a car parked on the lawn from 2 to 10 minutes. The shipped INT8
/// backbone embeds every third frame as the demo's camera decodes it; the demo's window (8 sampled frames, hop 4, the
/// mean of their unit embeddings) and calibration (80 windows, σ 4) feed <see cref="AnomalyDetector"/> with a 3-minute
/// lasting change, and its verdicts go through the live <see cref="IncidentTracker"/> with the default lifecycle and the
/// anomaly cooldown. The box's arrival and its departure each raise one incident that ends once it has lasted 3
/// minutes; meanwhile, and before it, the street raises at most a rare short one.
/// </summary>
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class LastingChangeFootageTests(ITestOutputHelper output) : IDisposable
{
    private const string Street = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
    private const double Fps = 10;
    private const int Every = 3;
    private const double Arrives = 120;
    private const double Leaves = 600;
    private static readonly TimeSpan Lasting = TimeSpan.FromMinutes(3);

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_parked_box_alerts_once_until_it_has_lasted_and_so_does_its_departure()
    {
        var video = Path.Combine(_dir.Path, "parked.mp4");
        await FfmpegTool.RunAsync(
            "-stream_loop", "10", "-i", Street,
            "-vf", string.Create(CultureInfo.InvariantCulture, $"drawbox=x=300:y=380:w=200:h=110:color=navy:t=fill:enable='between(t,{Arrives},{Leaves})'"),
            "-c:v", "libx264", "-preset", "veryfast", "-an", video);

        var manifest = ModelManifestLoader.Load(ResNet18.ManifestPath);
        using var model = OnnxModel.Load(manifest, "cpu", 0, 0, 8, new CapturingLogger());
        using var embeddings = new VideoEmbeddings(model);
        await embeddings.AddAsync(video, Every, height: 224);
        var frames = embeddings.Of[0];

        var options = new AnomalyOptions { CalibrationWindows = 80 };
        var detector = new AnomalyDetector(options.CalibrationWindows, null, options.Sigma, options.MinThreshold, TimeSpan.FromMinutes(options.RefreshMinutes), Lasting);
        var tracker = new IncidentTracker(new EventLifecycleOptions(), options.CooldownSeconds);
        var start = new DateTimeOffset(2026, 12, 7, 0, 0, 0, TimeSpan.Zero);
        var incidents = new List<(double Start, double End, double Peak)>();
        (double Start, double Peak)? open = null;
        double? learnedAt = null;
        var changes = 0;
        var window = new float[frames[0].Length];
        for (var last = 7; last < frames.Count; last += 4)
        {
            Array.Clear(window);
            for (var k = last - 7; k <= last; k++)
            {
                TensorPrimitives.Add(window, frames[k], window);
            }

            var seconds = last * Every / Fps;
            var time = start + TimeSpan.FromSeconds(seconds);
            if (detector.Observe(window, time) is not { } score)
            {
                continue;
            }

            if (detector.ChangesLearned != changes)
            {
                changes = detector.ChangesLearned;
                learnedAt ??= seconds;
            }

            var result = new WindowInference("street", last, (last - 7) * Every, last * Every, time - TimeSpan.FromSeconds(7 * Every / Fps), time, manifest, []);
            var message = tracker.Observe(score.IsAnomalous, score.Score, result);
            if (open is { } o)
            {
                open = (o.Start, Math.Max(o.Peak, score.Score));
            }

            if (message?.Phase == IncidentPhase.Start)
            {
                open = (seconds, score.Score);
            }
            else if (message?.Phase == IncidentPhase.End && open is { } ended)
            {
                incidents.Add((ended.Start, seconds, ended.Peak));
                open = null;
            }
        }

        Assert.Null(open);
        var threshold = detector.Threshold;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{frames.Count} frames embedded; threshold {threshold:F4}; changes learned {detector.ChangesLearned}; {incidents.Count} incidents: {string.Join(", ", incidents.Select(i => $"{i.Start:F1}-{i.End:F1} s (peak {i.Peak:F3})"))}"));

        // Nothing before the box: the calibration covers the loop.
        Assert.DoesNotContain(incidents, i => i.Start < Arrives);

        // The box's arrival: one incident from its first windows until the change is learned, 3 minutes on.
        var arrival = Assert.Single(incidents, i => i.Start >= Arrives && i.Start < Arrives + 5);
        Assert.InRange(learnedAt!.Value, Arrives + Lasting.TotalSeconds, Arrives + Lasting.TotalSeconds + 5);
        Assert.InRange(arrival.End, learnedAt.Value, learnedAt.Value + 10);

        // While it stays, the new calibration holds it: a rare short incident at most (replacing half the set raised one
        // about every loop, 80 s, on this footage).
        var whileParked = incidents.Where(i => i.Start > arrival.End && i.Start < Leaves).ToList();
        Assert.True(whileParked.Count <= 3, $"{whileParked.Count} incidents while the box stayed, after it was learned");
        Assert.All(whileParked, i => Assert.True(i.End - i.Start < 15 && i.Peak < 1.5 * threshold, $"{i.Start:F1}-{i.End:F1} s, peak {i.Peak:F3}"));

        // Its departure is a change in turn, learned after 3 minutes too.
        Assert.Equal(2, detector.ChangesLearned);
        var departure = Assert.Single(incidents, i => i.Start >= Leaves && i.Start < Leaves + 5);
        Assert.InRange(departure.End, Leaves + Lasting.TotalSeconds, Leaves + Lasting.TotalSeconds + 15);
    }
}
