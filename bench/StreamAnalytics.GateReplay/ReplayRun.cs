using Microsoft.Extensions.Logging.Abstractions;
using StreamAnalytics.Configuration;
using StreamAnalytics.Contracts;
using StreamAnalytics.Heads.Appearance;
using StreamAnalytics.Inference;
using StreamAnalytics.Ingest;
using StreamAnalytics.Observability;
using StreamAnalytics.Tools;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.GateReplay;

/// <summary>
/// Replays videos, one camera after the other, through the product's windowing (T=8, subsample 2, hop 4, the
/// defaults), the camera's motion gate when <paramref name="gate"/> is set, the inference stage with ResNet-18 on
/// the CPU and the appearance head (Detection.Anomaly defaults: it learns from the camera's first 20 windows that
/// reach it). Each video starts like a reconnect: a fresh window ring and gate reference.
/// </summary>
internal sealed class ReplayRun(IInferenceModel model, MotionGateOptions? gate)
{
    private readonly PipelineMetrics _metrics = new(Prometheus.Metrics.NewCustomRegistry());
    private readonly ReplayClock _clock = new();

    public List<WindowRecord> Windows { get; } = [];

    public async Task RunAsync(string camera, IEnumerable<string> videos, double fps)
    {
        using var head = new AppearanceWindowHead(new AnomalyOptions(), NullLogger<AppearanceWindowHead>.Instance);
        var stage = new InferenceStage(model, _metrics, NullLogger<InferenceStage>.Instance, heads: [head]);
        var interval = TimeSpan.FromSeconds(1 / fps);
        foreach (var video in videos)
        {
            var motionGate = gate is null ? null : new MotionGate(gate, _clock);
            using var windowing = new CameraWindowing(camera, new WindowSchedule(8, 2, 4), model.Manifest.Input.Format, _metrics.ForCamera(camera), gate: motionGate);
            var name = Path.GetFileName(video);
            FramePool? copies = null;
            await OfflineVideo.DecodeAsync(video, decoded =>
            {
                // Windowing disposes what it is given, and the decoder's frame is disposed by OfflineVideo once this returns
                // (by then the pool may have handed it out again): give windowing a copy from a pool of its own.
                copies ??= new FramePool(camera, decoded.Width, decoded.Height);
                var frame = copies.Rent();
                decoded.Pixels.CopyTo(frame.Pixels);
                frame.Sequence = decoded.Sequence;
                frame.CaptureTime = _clock.GetUtcNow();
                frame.FirstOfSession = decoded.FirstOfSession;
                _clock.Advance(interval);
                if (windowing.Process(frame) is not { } window)
                {
                    return;
                }

                try
                {
                    var result = Assert(stage.InferAsync([window], CancellationToken.None));
                    var appearance = result.Heads.Where(h => h.Head == AppearanceWindowHead.HeadName).Select(h => (HeadResult?)h).FirstOrDefault();
                    Windows.Add(new WindowRecord(camera, name, result.FirstSequence, result.LastSequence, window.Gated, motionGate?.LastChange ?? double.NaN, appearance?.Score, appearance?.Above ?? false));
                }
                finally
                {
                    window.Release();
                }
            }, NullLogger<CameraReader>.Instance, CancellationToken.None).ConfigureAwait(false);
            copies?.Dispose();
        }
    }

    /// <summary>A local model completes synchronously.</summary>
    private static WindowInference Assert(Task<List<WindowInference>> inference) => inference.GetAwaiter().GetResult().Single();
}
