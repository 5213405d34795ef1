using Microsoft.Extensions.Time.Testing;
using Prometheus;
using StreamAnalytics.Configuration;
using StreamAnalytics.Detection;
using StreamAnalytics.Heads.Appearance;
using StreamAnalytics.Inference;
using StreamAnalytics.Ingest;
using StreamAnalytics.Observability;
using StreamAnalytics.Privacy;
using StreamAnalytics.Snapshots;
using StreamAnalytics.Tests.Fakes;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Snapshots;

/// <summary>The snapshot copy through the real stages: windowing → inference (real ResNet-18) → detection, and back to its pool.</summary>
[Collection(ResNet18Collection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class SnapshotOwnershipTests(ResNet18Fixture resnet)
{
    [Fact]
    public async Task A_window_snapshot_moves_to_its_result_and_returns_to_its_pool_once_no_incident_holds_it()
    {
        var metrics = new PipelineMetrics(Metrics.NewCustomRegistry());
        var capture = new SnapshotCapture(maxWidth: 180);
        var privacy = new PrivacyMask([new PolygonOptions { Points = [[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]] }], []);
        using var windowing = new CameraWindowing("walkway", new WindowSchedule(2, 0, 2), resnet.Model.Manifest.Input.Format, metrics: null, privacy: privacy, snapshots: capture);
        var pool = new FramePool("walkway", RealFrames.Width, RealFrames.Height);
        var windows = new List<Window>();
        for (var i = 0; i < 12; i++)
        {
            if (windowing.Process(RealFrames.Rent(pool, i + 1, RealFrames.Ped2[i])) is { } window)
            {
                windows.Add(window);
            }
        }

        Assert.Equal(6, windows.Count);
        var frames = windows.Select(w => w.Snapshot!).ToList();
        Assert.Equal([2L, 4L, 6L, 8L, 10L, 12L], frames.Select(f => f.Sequence).ToArray());
        Assert.All(frames, f => Assert.Equal((180, 120), (f.Width, f.Height)));

        // The copy is taken after masking: the masked top-left quarter is black in it too.
        Assert.All(frames, f => Assert.All(Enumerable.Range(0, 60), y => Assert.True(f.Buffer.AsSpan(y * 180 * 3, 90 * 3).IndexOfAnyExcept((byte)0) < 0)));

        var anomaly = new AnomalyOptions { CalibrationWindows = 2, Threshold = 0, MinThreshold = 0 };
        using var appearance = new AppearanceWindowHead(anomaly, new CapturingLogger());
        var results = await new InferenceStage(resnet.Model, metrics, new CapturingLogger(), heads: [appearance]).InferAsync(windows, CancellationToken.None);

        // Inference took each window's reference over; releasing the windows leaves the snapshots to the results.
        Assert.All(windows, w => Assert.Null(w.Snapshot));
        windows.ForEach(w => w.Release());
        Assert.Equal(frames, results.Select(r => r.Snapshot!).ToList());
        Assert.All(frames, f => Assert.Equal(1, f.References));

        // Every window above a zero threshold: one incident whose peak holds one frame until it ends.
        var detection = new DetectionStage(
            new DetectionOptions
            {
                Anomaly = anomaly,
                Lifecycle = new EventLifecycleOptions { UpdateIntervalSeconds = 1000 },
                Snapshot = new SnapshotOptions { Enabled = true, Mode = SnapshotOptions.Base64Mode, MaxWidth = 180 },
            },
            metrics,
            new FakeTimeProvider(),
            new CapturingLogger());
        var events = results.SelectMany(detection.Evaluate).ToList();

        var start = Assert.Single(events);
        Assert.NotNull(start.Snapshot?.Data);
        // Only the incident's peak so far (the start's, or a later window's that scored higher) is still held.
        var held = Assert.Single(frames, f => f.References > 0);
        Assert.Equal(1, held.References);
        Assert.InRange(held.Sequence, start.Snapshot!.Frame, frames[^1].Sequence);
    }
}
