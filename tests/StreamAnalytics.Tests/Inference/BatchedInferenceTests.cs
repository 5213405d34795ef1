using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using StreamAnalytics.Inference;
using StreamAnalytics.Ingest;
using StreamAnalytics.Observability;
using StreamAnalytics.Tests.Fakes;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Inference;

/// <summary>Cross-camera batching through real ONNX Runtime sessions.</summary>
[Collection(ResNet18Collection.Name)]
public sealed class BatchedInferenceTests
{
    private static string TinyClipManifest => Path.Combine(AppContext.BaseDirectory, "Assets", "models", "tiny_clip.json");

    [Fact]
    public void The_fixed_batch_resnet_is_made_batchable_and_a_batch_equals_runs_one_by_one()
    {
        // The FP32 file as CNTK exported it (batch pinned at 1); the INT8 variant is written with a symbolic batch.
        var logger = new CapturingLogger();
        using var model = OnnxModel.Load(ModelManifestLoader.Load(ResNet18.ManifestPath).WithPrecision("fp32"), "cpu", 0, 0, 8, logger);
        Assert.Equal(8, model.MaxBatch);
        Assert.Contains(logger.Entries, m => m.Message.Contains("made it symbolic", StringComparison.Ordinal));
        var random = new Random(3);
        var inputs = Enumerable.Range(0, 4).Select(_ => Enumerable.Range(0, model.Manifest.Input.ItemElementCount).Select(_ => (float)(random.NextDouble() * 100)).ToArray()).ToArray();

        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i].CopyTo(model.InputItem(i));
        }

        model.Run(inputs.Length);
        var batched = Enumerable.Range(0, inputs.Length).Select(i => model.OutputItem(0, i).ToArray()).ToArray();
        for (var i = 0; i < inputs.Length; i++)
        {
            inputs[i].CopyTo(model.InputItem(0));
            model.Run(1);
            var single = model.OutputItem(0, 0).ToArray();
            Assert.Equal(single.Length, batched[i].Length);
            Assert.All(single.Zip(batched[i]), pair => Assert.Equal(pair.First, pair.Second, 3));
        }
    }

    [Fact]
    public async Task A_failing_batch_loses_only_its_windows_and_later_batches_run_in_order()
    {
        var metrics = new PipelineMetrics(Prometheus.Metrics.NewCustomRegistry());
        using var clip = OnnxModel.Load(ModelManifestLoader.Load(TinyClipManifest), "cpu", 0, 1, 1, new CapturingLogger());
        var logger = new CapturingLogger();
        var stage = new InferenceStage(clip, metrics, logger, new FakeTimeProvider(), TimeSpan.Zero);
        var windows = Channel.CreateUnbounded<Window>();
        var results = Channel.CreateUnbounded<WindowInference>();
        using var good = Windowing(clip, "good", length: 4);
        using var bad = Windowing(clip, "bad", length: 3);
        var goodPool = new FramePool("good", 8, 8);
        var badPool = new FramePool("bad", 8, 8);

        foreach (var sequence in Enumerable.Range(1, 12))
        {
            if (bad.Process(TestFrames.RentUniform(badPool, sequence, 0, 0, 0)) is { } wrongLength)
            {
                windows.Writer.TryWrite(wrongLength);
            }

            if (good.Process(TestFrames.RentUniform(goodPool, sequence, 10, 20, (byte)(30 + sequence))) is { } window)
            {
                windows.Writer.TryWrite(window);
            }
        }

        windows.Writer.Complete();
        await stage.RunAsync(windows.Reader, results.Writer, CancellationToken.None);
        results.Writer.Complete();
        var produced = new List<WindowInference>();
        await foreach (var result in results.Reader.ReadAllAsync())
        {
            produced.Add(result);
        }

        Assert.All(produced, r => Assert.Equal("good", r.CameraId));
        Assert.Equal([0L, 1, 2], produced.Select(r => r.WindowIndex));
        Assert.Equal(4, metrics.InferenceFailures.WithLabels("tiny-clip").Value);
        Assert.Contains(logger.Entries, m => m.Message.Contains("a run failed", StringComparison.Ordinal));
        // The clip model averages each channel: red (tensor channel 0 in RGB order) is the mean of the window's r values.
        Assert.Equal((30 + 1 + 30 + 4) / 2.0, produced[0].Outputs[0][0], 3);
        Assert.Equal(20, produced[0].Outputs[0][1], 3);
        Assert.Equal(10, produced[0].Outputs[0][2], 3);
    }

    private static CameraWindowing Windowing(OnnxModel model, string camera, int length) =>
        new(camera, new WindowSchedule(length, 0, length), model.Manifest.Input.Format, null);
}
