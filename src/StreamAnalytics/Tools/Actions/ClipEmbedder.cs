using System.Diagnostics;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Heads.Action;
using StreamAnalytics.Inference;
using StreamAnalytics.Ingest;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Tools.Actions;

/// <summary>
/// Encodes the views of a whole clip (see <see cref="ClipFeatureRecipe"/>) with the backbone, for the
/// offline action commands. Frames come from the product's own ffmpeg ingest (<see cref="OfflineVideo"/>)
/// and are resized and normalised by the same <see cref="FramePreprocessor"/> as a live camera's, so a
/// view's outputs are what the live pipeline would store for the same frames.
/// The file is decoded twice: once to count its frames (views are spread over the whole clip, and
/// container frame counts are not trustworthy), once to encode only the frames the views take. That keeps
/// memory bounded by the views (at most T·5 frames), not by the length of the video.
/// </summary>
internal sealed class ClipEmbedder : IDisposable
{
    private readonly OnnxModel _backbone;
    private readonly FramePreprocessor _preprocessor;
    private readonly ILogger<CameraReader> _readerLogger;
    private readonly int _frameLength;
    private readonly FrameTensorFormat _format;

    public ClipEmbedder(OnnxModel backbone, ILogger<CameraReader> readerLogger)
    {
        _backbone = backbone;
        _format = backbone.Manifest.Input.Format;
        _preprocessor = new FramePreprocessor(_format);
        _readerLogger = readerLogger;
        _frameLength = backbone.OutputItemSizes.Sum();
    }

    /// <param name="frames">T: frames per view.</param>
    /// <param name="mirrored">Also encode every view mirrored left-right.</param>
    /// <exception cref="VideoSourceException">The file cannot be decoded, or decodes differently the second time.</exception>
    public async Task<EmbeddedClip> EmbedAsync(string path, int frames, bool mirrored, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var decoded = checked((int)await OfflineVideo.DecodeAsync(path, _ => { }, _readerLogger, cancellationToken).ConfigureAwait(false));
        if (decoded < ClipFeatureRecipe.MinimumFrames)
        {
            throw new VideoSourceException($"'{Path.GetFullPath(path)}' has {decoded} frame; the action head needs at least {ClipFeatureRecipe.MinimumFrames}.");
        }

        var viewIndices = ClipFeatureRecipe.ViewOffsets.Select(u => ClipFeatureRecipe.SampleIndices(decoded, frames, u)).ToList();
        var wanted = viewIndices.SelectMany(i => i).ToHashSet();
        var original = new Dictionary<int, float[]>();
        var flipped = new Dictionary<int, float[]>();
        var pending = new List<(int Index, bool Mirrored, float[] Tensor)>(_backbone.MaxBatch);
        var spare = new Stack<float[]>();
        var index = 0;

        void Flush()
        {
            for (var i = 0; i < pending.Count; i++)
            {
                pending[i].Tensor.AsSpan().CopyTo(_backbone.InputItem(i));
            }

            _backbone.Run(pending.Count);
            for (var i = 0; i < pending.Count; i++)
            {
                var outputs = new float[_frameLength];
                var offset = 0;
                for (var o = 0; o < _backbone.OutputItemSizes.Count; o++)
                {
                    _backbone.OutputItem(o, i).CopyTo(outputs.AsSpan(offset));
                    offset += _backbone.OutputItemSizes[o];
                }

                (pending[i].Mirrored ? flipped : original)[pending[i].Index] = outputs;
                spare.Push(pending[i].Tensor);
            }

            pending.Clear();
        }

        void Add(int frameIndex, bool mirror, float[] tensor)
        {
            pending.Add((frameIndex, mirror, tensor));
            if (pending.Count == _backbone.MaxBatch)
            {
                Flush();
            }
        }

        var again = await OfflineVideo.DecodeAsync(path, frame =>
        {
            var at = index++;
            if (!wanted.Contains(at))
            {
                return;
            }

            var tensor = spare.Count > 0 ? spare.Pop() : new float[_format.ElementCount];
            _preprocessor.Process(frame, tensor);
            if (mirrored)
            {
                var copy = spare.Count > 0 ? spare.Pop() : new float[_format.ElementCount];
                Mirror(tensor, copy);
                Add(at, mirror: false, tensor);
                Add(at, mirror: true, copy);
            }
            else
            {
                Add(at, mirror: false, tensor);
            }
        }, _readerLogger, cancellationToken).ConfigureAwait(false);
        if (pending.Count > 0)
        {
            Flush();
        }

        if (again != decoded)
        {
            throw new VideoSourceException($"'{Path.GetFullPath(path)}' decoded to {decoded} frames, then to {again}; the views cannot be placed.");
        }

        var views = new List<ClipView>();
        for (var v = 0; v < viewIndices.Count; v++)
        {
            views.Add(new ClipView(ClipFeatureRecipe.ViewOffsets[v], Mirrored: false, [.. viewIndices[v].Select(i => original[i])]));
            if (mirrored)
            {
                views.Add(new ClipView(ClipFeatureRecipe.ViewOffsets[v], Mirrored: true, [.. viewIndices[v].Select(i => flipped[i])]));
            }
        }

        return new EmbeddedClip(decoded, wanted.Count, views, Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>Mirrors a planar C×H×W tensor left-right, row by row.</summary>
    private void Mirror(float[] source, float[] destination)
    {
        source.AsSpan(0, _format.ElementCount).CopyTo(destination);
        for (var row = 0; row < FrameTensorFormat.Channels * _format.Height; row++)
        {
            destination.AsSpan(row * _format.Width, _format.Width).Reverse();
        }
    }

    public void Dispose() => _preprocessor.Dispose();
}
