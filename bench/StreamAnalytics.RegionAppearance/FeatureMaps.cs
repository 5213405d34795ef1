using System.Numerics.Tensors;
using Microsoft.Extensions.Logging.Abstractions;
using StreamAnalytics.Ingest;
using StreamAnalytics.Inference;
using StreamAnalytics.Tools;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.RegionAppearance;

/// <summary>The backbone's last feature map per decoded frame (every n-th), as 7x7 unit vectors of 512 channels, cell by cell.</summary>
internal sealed class FeatureMaps(OnnxModel model) : IDisposable
{
    public const int Cells = 49;
    public const int Channels = 512;

    private readonly int _output = model.Manifest.Outputs.ToList().FindIndex(o => o.Role == OutputRole.FeatureMap);
    private readonly int _embedding = model.Manifest.Outputs.ToList().FindIndex(o => o.Role == OutputRole.Embedding);
    private readonly FramePreprocessor _preprocessor = new(model.Manifest.Input.Format);

    /// <summary>The raw map (channel-major, as the model gives it) and the embedding of a frame, valid during the call only.</summary>
    public delegate void FrameOutputs(ReadOnlySpan<float> map, ReadOnlySpan<float> embedding);

    public void Dispose() => _preprocessor.Dispose();

    public async Task<List<float[]>> ReadAsync(string video, int every)
    {
        var result = new List<float[]>();
        await ForEachAsync(video, every, (map, _) =>
        {
            var cells = new float[Cells * Channels];
            for (var c = 0; c < Cells; c++)
            {
                var v = cells.AsSpan(c * Channels, Channels);
                for (var k = 0; k < Channels; k++)
                {
                    v[k] = map[(k * Cells) + c];
                }

                TensorPrimitives.Divide(v, Math.Max(TensorPrimitives.Norm(v), 1e-12f), v);
            }

            result.Add(cells);
        }).ConfigureAwait(false);
        return result;
    }

    /// <summary>Runs the backbone on every <paramref name="every"/>-th decoded frame, in order; returns the video's frame count.</summary>
    public async Task<long> ForEachAsync(string video, int every, FrameOutputs onFrame)
    {
        var pending = 0;
        long n = 0;
        var frames = await OfflineVideo.DecodeAsync(video, frame =>
        {
            if (n++ % every != 0)
            {
                return;
            }

            _preprocessor.Process(frame, model.InputItem(pending));
            if (++pending == model.MaxBatch)
            {
                Flush();
            }
        }, NullLogger<CameraReader>.Instance, CancellationToken.None).ConfigureAwait(false);
        Flush();
        return frames;

        void Flush()
        {
            if (pending == 0)
            {
                return;
            }

            model.Run(pending);
            for (var i = 0; i < pending; i++)
            {
                onFrame(model.OutputItem(_output, i), model.OutputItem(_embedding, i));
            }

            pending = 0;
        }
    }

    /// <summary>Per cell, the cosine distance to the nearest reference at the same cell.</summary>
    public static double[] CellDistances(float[] cells, IReadOnlyList<float[]> references)
    {
        var result = new double[Cells];
        for (var c = 0; c < Cells; c++)
        {
            var q = cells.AsSpan(c * Channels, Channels);
            var best = double.MaxValue;
            foreach (var r in references)
            {
                best = Math.Min(best, 1.0 - TensorPrimitives.Dot(q, r.AsSpan(c * Channels, Channels)));
            }

            result[c] = best;
        }

        return result;
    }
}
