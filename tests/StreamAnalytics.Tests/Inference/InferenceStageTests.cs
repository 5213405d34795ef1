using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using Prometheus;
using StreamAnalytics.Configuration;
using StreamAnalytics.Detection;
using StreamAnalytics.Inference;
using StreamAnalytics.Ingest;
using StreamAnalytics.Observability;
using StreamAnalytics.Tests.Fakes;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Inference;

[Collection(ResNet18Collection.Name)]
public sealed class InferenceStageTests(ResNet18Fixture resnet)
{
    private const int FrameWidth = 64;
    private const int FrameHeight = 48;

    private readonly PipelineMetrics _metrics = new(Metrics.NewCustomRegistry());

    private double Encoded => _metrics.FramesEncoded.WithLabels(resnet.Model.Manifest.Name).Value;

    [Fact]
    public async Task Overlapping_windows_encode_each_frame_once()
    {
        Assert.Equal("streamanalytics_inference_frames_encoded_total", _metrics.FramesEncoded.Name);
        var stage = new InferenceStage(resnet.Model, _metrics, new CapturingLogger());
        using var windowing = NewWindowing("cam", new WindowSchedule(4, 0, 2));
        var pool = new FramePool("cam", FrameWidth, FrameHeight);
        var windows = Feed(windowing, pool, 0, 6);
        Assert.Equal(2, windows.Count);

        var results = await stage.InferAsync(windows, CancellationToken.None);

        // Frames 0-5, frames 2 and 3 shared by both windows: 6 encodings, not 8.
        Assert.Equal(6, Encoded);
        Assert.Equal(2, results.Count);
        for (var w = 0; w < 2; w++)
        {
            var result = results[w];
            Assert.Equal("cam", result.CameraId);
            Assert.Equal(w, result.WindowIndex);
            Assert.Equal(w * 2, result.FirstSequence);
            Assert.Equal((w * 2) + 3, result.LastSequence);
            Assert.Equal(TestFrames.CaptureTimeOf(w * 2), result.FirstCaptureTime);
            Assert.Equal(TestFrames.CaptureTimeOf((w * 2) + 3), result.LastCaptureTime);
            Assert.Same(resnet.Model.Manifest, result.Model);
            var embedding = Assert.Single(result.Outputs);
            Assert.Equal(ResNet18.EmbeddingLength, embedding.Length);

            // A per-frame encoder's window output is the mean of its frames' outputs.
            var frames = windows[w].Frames;
            Assert.All(frames, f => Assert.True(f.HasFeatures));
            for (var k = 0; k < embedding.Length; k++)
            {
                Assert.Equal(frames.Average(f => f.Features![k]), embedding[k], 4);
            }
        }

        Assert.NotEqual(results[0].Outputs[0], results[1].Outputs[0]);

        // Running the same windows again encodes nothing: every frame already has its features.
        await stage.InferAsync(windows, CancellationToken.None);
        Assert.Equal(6, Encoded);

        // The next window shares two frames with the last one: only its two new frames are encoded.
        var next = Feed(windowing, pool, 6, 2);
        await stage.InferAsync(next, CancellationToken.None);
        Assert.Equal(8, Encoded);
        Assert.True(_metrics.InferenceDuration.WithLabels(resnet.Model.Manifest.Name).Count > 0);

        windows.Concat(next).ToList().ForEach(w => w.Release());
    }

    [Fact]
    public async Task Identical_windows_give_identical_embeddings()
    {
        var stage = new InferenceStage(resnet.Model, _metrics, new CapturingLogger());
        var schedule = new WindowSchedule(3, 1, 3);
        using var a = NewWindowing("a", schedule);
        using var b = NewWindowing("b", schedule);
        var windowA = Assert.Single(Feed(a, new FramePool("a", FrameWidth, FrameHeight), 0, 6));
        var windowB = Assert.Single(Feed(b, new FramePool("b", FrameWidth, FrameHeight), 0, 6));

        var results = await stage.InferAsync([windowA, windowB], CancellationToken.None);

        Assert.Equal(6, Encoded);
        Assert.Equal("a", results[0].CameraId);
        Assert.Equal("b", results[1].CameraId);
        Assert.Equal(results[0].Outputs[0], results[1].Outputs[0]);
        Assert.Contains(results[0].Outputs[0], v => v != 0);
        windowA.Release();
        windowB.Release();
    }

    [Fact]
    public async Task RunAsync_releases_every_window_it_reads()
    {
        var stage = new InferenceStage(resnet.Model, _metrics, new CapturingLogger());
        using var windowing = NewWindowing("cam", new WindowSchedule(2, 0, 1));
        var windows = Feed(windowing, new FramePool("cam", FrameWidth, FrameHeight), 0, 4);
        Assert.Equal(3, windows.Count);
        var slots = windows.SelectMany(w => w.Frames).Distinct().ToArray();
        var input = Channel.CreateUnbounded<Window>();
        var output = Channel.CreateUnbounded<WindowInference>();
        windows.ForEach(w => Assert.True(input.Writer.TryWrite(w)));
        input.Writer.Complete();

        await stage.RunAsync(input.Reader, output.Writer, CancellationToken.None);

        var results = new List<WindowInference>();
        while (output.Reader.TryRead(out var result))
        {
            results.Add(result);
        }

        Assert.Equal([0L, 1L, 2L], results.Select(r => r.WindowIndex).ToArray());
        Assert.Equal(4, Encoded);

        // Only the windowing ring (the last two frames) still holds slots.
        Assert.Equal([0, 0, 1, 1], slots.OrderBy(s => s.Sequence).Select(s => s.References).ToArray());
    }

    [Fact]
    public async Task A_gated_window_skips_the_model_and_the_window_heads_and_its_frames_go_back_to_the_pool()
    {
        var head = new ScriptedWindowHead(true, false);
        var stage = new InferenceStage(resnet.Model, _metrics, new CapturingLogger(), heads: [head]);
        using var windowing = NewWindowing("cam", new WindowSchedule(2, 0, 2));
        var windows = Feed(windowing, new FramePool("cam", FrameWidth, FrameHeight), 0, 8);
        Assert.Equal(4, windows.Count);
        windows[1].Gated = true;
        windows[3].Gated = true;
        var slots = windows.SelectMany(w => w.Frames).Distinct().ToArray();
        var input = Channel.CreateUnbounded<Window>();
        var output = Channel.CreateUnbounded<WindowInference>();
        windows.ForEach(w => Assert.True(input.Writer.TryWrite(w)));
        input.Writer.Complete();

        await stage.RunAsync(input.Reader, output.Writer, CancellationToken.None);

        var results = new List<WindowInference>();
        while (output.Reader.TryRead(out var result))
        {
            results.Add(result);
        }

        // Only windows 0 and 2 (frames 0, 1, 4, 5) reached the model and the head.
        Assert.Equal(4, Encoded);
        Assert.Equal([0L, 2L], head.SeenWindows);
        Assert.Equal([0L, 1L, 2L, 3L], results.Select(r => r.WindowIndex).ToArray());

        // A gated window carries the verdict of its camera's window before it, even when a later one is in the same batch.
        Assert.Equal([true, true, false, false], results.Select(r => Assert.Single(r.Heads).Above).ToArray());
        Assert.All(results[1].Outputs, o => Assert.Empty(o));
        Assert.Equal(2, results[1].FirstSequence);

        // Only the windowing ring (the last window's two frames) still holds slots.
        Assert.Equal([0, 0, 0, 0, 0, 0, 1, 1], slots.OrderBy(s => s.Sequence).Select(s => s.References).ToArray());
    }

    [Fact]
    public async Task Incidents_see_time_pass_through_a_still_scene_and_end_when_the_backbone_next_sees_it_normal()
    {
        // Window 0: anomalous. Windows 1-3: the scene did not change (gated). Window 4: the backbone sees it again, normal.
        var head = new ScriptedWindowHead(true, false);
        var stage = new InferenceStage(resnet.Model, _metrics, new CapturingLogger(), heads: [head]);
        var options = new DetectionOptions { Lifecycle = new EventLifecycleOptions { ExitWindows = 1, UpdateIntervalSeconds = 1000 } };
        var detection = new DetectionStage(options, _metrics, new FakeTimeProvider(), new CapturingLogger());
        using var windowing = NewWindowing("cam", new WindowSchedule(1, 0, 1));
        var windows = Feed(windowing, new FramePool("cam", FrameWidth, FrameHeight), 0, 5);
        windows[1].Gated = windows[2].Gated = windows[3].Gated = true;

        var phases = new List<string>();
        foreach (var window in windows)
        {
            foreach (var result in await stage.InferAsync([window], CancellationToken.None))
            {
                phases.AddRange(detection.Evaluate(result).Select(e => $"{result.WindowIndex}:{e.Phase}"));
            }

            window.Release();
        }

        // Open through the still windows (not ended by them, nor by the time they take), ended by the next real verdict.
        Assert.Equal(["0:start", "4:end"], phases);
    }

    [Fact]
    public async Task A_camera_that_sends_nothing_for_a_whole_sweep_has_its_last_verdicts_forgotten()
    {
        var clock = new FakeTimeProvider();
        var head = new ScriptedWindowHead(true, true, true, true, true, true);
        var stage = new InferenceStage(resnet.Model, _metrics, new CapturingLogger(), clock, heads: [head]);
        using var gone = NewWindowing("gone", new WindowSchedule(1, 0, 1));
        using var stays = NewWindowing("stays", new WindowSchedule(1, 0, 1));
        var gonePool = new FramePool("gone", FrameWidth, FrameHeight);
        var staysPool = new FramePool("stays", FrameWidth, FrameHeight);

        async Task<WindowInference> Infer(Window window)
        {
            var result = Assert.Single(await stage.InferAsync([window], CancellationToken.None));
            window.Release();
            return result;
        }

        await Infer(Assert.Single(Feed(gone, gonePool, 0, 1)));
        await Infer(Assert.Single(Feed(stays, staysPool, 0, 1)));
        Assert.Equal(2, stage.CamerasWithVerdicts);

        // The first sweep, an hour on: both sent a window since the start.
        clock.Advance(TimeSpan.FromMinutes(61));
        await Infer(Assert.Single(Feed(stays, staysPool, 1, 1)));
        Assert.Equal(2, stage.CamerasWithVerdicts);

        // The next: "gone" sent nothing in that hour (it was removed), so its entry goes.
        clock.Advance(TimeSpan.FromMinutes(61));
        await Infer(Assert.Single(Feed(stays, staysPool, 2, 1)));
        Assert.Equal(1, stage.CamerasWithVerdicts);

        // The entry is gone: a gated window under that id would carry no verdict. (Live, a camera's first window always
        // runs the model, so a new camera under the id never saw the old entry; what the sweep mends is the memory.)
        var window = Assert.Single(Feed(gone, gonePool, 1, 1));
        window.Gated = true;
        Assert.Empty((await Infer(window)).Heads);
    }

    private CameraWindowing NewWindowing(string cameraId, WindowSchedule schedule) =>
        new(cameraId, schedule, resnet.Model.Manifest.Input.Format, metrics: null);

    /// <summary>Feeds frames <paramref name="first"/>.. of distinct colours; returns the windows they complete.</summary>
    private static List<Window> Feed(CameraWindowing windowing, FramePool pool, long first, int count)
    {
        var windows = new List<Window>();
        for (var sequence = first; sequence < first + count; sequence++)
        {
            var frame = TestFrames.RentUniform(pool, sequence, (byte)(sequence * 40 % 256), (byte)(255 - (sequence * 30 % 256)), (byte)(sequence * 70 % 256));

            // A gradient so that frames differ in structure, not only in colour.
            var pixels = frame.Pixels;
            for (var i = 0; i < pixels.Length; i += 3 * 7)
            {
                pixels[i] = (byte)((i / 3 * (sequence + 1)) % 256);
            }

            if (windowing.Process(frame) is { } window)
            {
                windows.Add(window);
            }
        }

        return windows;
    }
}
