using System.Numerics.Tensors;
using Microsoft.Extensions.Logging.Abstractions;
using StreamAnalytics.Configuration;
using StreamAnalytics.Ingest;
using StreamAnalytics.Inference;
using StreamAnalytics.Tools;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tests.Fakes;

/// <summary>
/// Unit-length embeddings of decoded frames, in decode order, from one or more backbones fed the same tensors (the first
/// model's preprocessing and batch), for tests that compare what two models, or two decodes, make of real footage.
/// </summary>
internal sealed class VideoEmbeddings : IDisposable
{
    private readonly OnnxModel[] _models;
    private readonly FramePreprocessor _preprocessor;
    private int _pending;

    public VideoEmbeddings(params OnnxModel[] models)
    {
        _models = models;
        _preprocessor = new FramePreprocessor(models[0].Manifest.Input.Format);
        Of = [.. models.Select(_ => new List<float[]>())];
    }

    /// <summary>Per model, in the order given, its embeddings so far.</summary>
    public List<float[]>[] Of { get; }

    public void Dispose() => _preprocessor.Dispose();

    /// <summary>Embeds every <paramref name="every"/>-th frame of <paramref name="video"/>, decoded as <see cref="OfflineVideo.DecodeAsync"/> does with these settings; returns the file's frame count.</summary>
    public async Task<long> AddAsync(string video, int every, int? height = null, string fastDecode = CameraOptions.FastDecodeAuto, Action<Frame>? onFrame = null, string scaleFilter = CameraOptions.ScaleAuto)
    {
        long n = 0;
        var count = await OfflineVideo.DecodeAsync(
            video,
            frame =>
            {
                onFrame?.Invoke(frame);
                if (n++ % every != 0)
                {
                    return;
                }

                _preprocessor.Process(frame, _models[0].InputItem(_pending));
                for (var m = 1; m < _models.Length; m++)
                {
                    _models[0].InputItem(_pending).CopyTo(_models[m].InputItem(_pending));
                }

                if (++_pending == _models[0].MaxBatch)
                {
                    Flush();
                }
            },
            NullLogger<CameraReader>.Instance,
            CancellationToken.None,
            height,
            fastDecode,
            scaleFilter);
        Flush();
        return count;
    }

    private void Flush()
    {
        if (_pending == 0)
        {
            return;
        }

        for (var m = 0; m < _models.Length; m++)
        {
            _models[m].Run(_pending);
            for (var i = 0; i < _pending; i++)
            {
                var v = _models[m].OutputItem(0, i);
                var unit = new float[v.Length];
                TensorPrimitives.Divide(v, Math.Max(TensorPrimitives.Norm(v), 1e-12f), unit);
                Of[m].Add(unit);
            }
        }

        _pending = 0;
    }
}
