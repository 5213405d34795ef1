using System.Numerics.Tensors;
using Microsoft.Extensions.Logging.Abstractions;
using StreamAnalytics.Ingest;
using StreamAnalytics.Inference;
using StreamAnalytics.Tools;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.AppearanceCalibration;

/// <summary>
/// A video's windows as the live pipeline builds them with the default schedule (<see cref="WindowSchedule"/> 8/2/4:
/// every 3rd decoded frame sampled, 8 sampled frames a window, a window every 4 sampled frames, that is every 12 decoded
/// frames): each the sum of its frames' embeddings, as the inference stage's mean is up to a scale the detector
/// normalises away, with the 0-based
/// numbers of its first and last decoded frame.
/// </summary>
internal sealed class WindowEmbeddings(OnnxModel model) : IDisposable
{
    private static readonly WindowSchedule Schedule = new(8, 2, 4);

    private readonly FramePreprocessor _preprocessor = new(model.Manifest.Input.Format);

    public void Dispose() => _preprocessor.Dispose();

    public async Task<VideoWindows> ReadAsync(string video)
    {
        var sampled = new List<float[]>();
        var pending = 0;
        long n = 0;
        var frames = await OfflineVideo.DecodeAsync(video, frame =>
        {
            if (!Schedule.IsSampled(n++))
            {
                return;
            }

            _preprocessor.Process(frame, model.InputItem(pending));
            if (++pending == model.MaxBatch)
            {
                RunBatch();
            }
        }, NullLogger<CameraReader>.Instance, CancellationToken.None).ConfigureAwait(false);
        RunBatch();

        var windows = new List<VideoWindow>();
        for (var last = 0L; last < sampled.Count; last++)
        {
            if (!Schedule.CompletesWindow(last))
            {
                continue;
            }

            var sum = new float[sampled[(int)last].Length];
            for (var k = Schedule.WindowStart(last); k <= last; k++)
            {
                TensorPrimitives.Add(sum, sampled[(int)k], sum);
            }

            windows.Add(new VideoWindow(sum, Schedule.FrameIndexOf(Schedule.WindowStart(last)), Schedule.FrameIndexOf(last)));
        }

        return new VideoWindows(Path.GetFileName(video), frames, windows);

        void RunBatch()
        {
            if (pending == 0)
            {
                return;
            }

            model.Run(pending);
            for (var i = 0; i < pending; i++)
            {
                sampled.Add(model.OutputItem(0, i).ToArray());
            }

            pending = 0;
        }
    }
}
