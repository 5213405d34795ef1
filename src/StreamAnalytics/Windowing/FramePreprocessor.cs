using System.Runtime.Intrinsics;
using OpenCvSharp;
using OpenCvSharp.Internal;
using StreamAnalytics.Ingest;

namespace StreamAnalytics.Windowing;

/// <summary>
/// Resizes a BGR frame (OpenCV, area interpolation against aliasing) and writes it into a planar,
/// normalised float tensor in one pass. Its OpenCV buffers and array wrappers are created once and
/// resize is called through OpenCvSharp's native entry point: <c>Cv2.Resize</c> allocates wrappers on
/// every call and its OutputArray cannot be reused, and a frame here must cost no managed allocation.
/// A shrink on OpenCV's general area path (a 720p camera's 398x224 under <c>DecodeSize: auto</c>) goes through
/// <see cref="AreaResampler"/> instead, straight into the tensor's planes, to the same values.
/// </summary>
internal sealed class FramePreprocessor : IDisposable
{
    private readonly FrameTensorFormat _format;
    private readonly Mat _resized;
    private readonly OutputArray _resizedOut;
    private readonly Size _size;
    private readonly float[] _multiplier = new float[FrameTensorFormat.Channels];
    private readonly float[] _offset = new float[FrameTensorFormat.Channels];
    private readonly int[] _plane = new int[FrameTensorFormat.Channels];
    private readonly int[] _planeOfSource = new int[FrameTensorFormat.Channels];
    private AreaResampler? _resampler;

    public FramePreprocessor(FrameTensorFormat format)
    {
        _format = format;
        _size = new Size(format.Width, format.Height);
        _resized = new Mat(format.Height, format.Width, MatType.CV_8UC3);
        _resizedOut = OutputArray.Create(_resized);
        for (var c = 0; c < FrameTensorFormat.Channels; c++)
        {
            // (v·scale − mean) / std  ==  v·multiplier + offset
            _multiplier[c] = format.Scale / format.Std[c];
            _offset[c] = -format.Mean[c] / format.Std[c];
        }

        // Source bytes are B,G,R; the tensor's channel c takes source byte _plane[c].
        _plane[0] = format.ColorOrder == ColorOrder.Bgr ? 0 : 2;
        _plane[1] = 1;
        _plane[2] = format.ColorOrder == ColorOrder.Bgr ? 2 : 0;
        for (var c = 0; c < FrameTensorFormat.Channels; c++)
        {
            _planeOfSource[_plane[c]] = c;
        }
    }

    public FrameTensorFormat Format => _format;

    public void Process(Frame frame, Span<float> tensor)
    {
        if (tensor.Length < _format.ElementCount)
        {
            throw new ArgumentException("Tensor is smaller than the format.", nameof(tensor));
        }

        ReadOnlySpan<byte> pixels;
        _resampler = AreaResampler.For(_resampler, frame.Width, frame.Height, _format.Width, _format.Height, FrameTensorFormat.Channels);
        if (_resampler is { } resampler)
        {
            resampler.ResizeToPlanes(frame.Pixels, frame.Width * FrameTensorFormat.Channels, tensor, _planeOfSource);
            NormalizePlanes(tensor);
            return;
        }

        if (frame.Width == _format.Width && frame.Height == _format.Height)
        {
            pixels = frame.Buffer.AsSpan(0, _format.ElementCount);
        }
        else
        {
            var interpolation = frame.Width >= _format.Width && frame.Height >= _format.Height ? InterpolationFlags.Area : InterpolationFlags.Linear;
            var status = NativeMethods.imgproc_resize(frame.InputArray.CvPtr, _resizedOut.CvPtr, _size, 0, 0, (int)interpolation);
            GC.KeepAlive(frame);
            if (status != ExceptionStatus.NotOccurred)
            {
                throw new InvalidOperationException($"OpenCV resize failed ({status}) for a {frame.Width}x{frame.Height} frame.");
            }

            pixels = ResizedPixels();
        }

        Normalize(pixels, tensor);
    }

    /// <summary>v · multiplier + offset in place, as <see cref="Normalize"/> computes it: a product, then a sum, never fused.</summary>
    private void NormalizePlanes(Span<float> tensor)
    {
        var planeSize = _format.PlaneSize;
        for (var c = 0; c < FrameTensorFormat.Channels; c++)
        {
            var plane = tensor.Slice(c * planeSize, planeSize);
            var multiplier = _multiplier[c];
            var offset = _offset[c];
            var m = Vector256.Create(multiplier);
            var o = Vector256.Create(offset);
            var i = 0;
            for (; i <= plane.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                var v = Vector256.Create(plane.Slice(i, Vector256<float>.Count));
                Vector256.Add(Vector256.Multiply(v, m), o).CopyTo(plane.Slice(i));
            }

            for (; i < plane.Length; i++)
            {
                plane[i] = (plane[i] * multiplier) + offset;
            }
        }
    }

    private unsafe ReadOnlySpan<byte> ResizedPixels() => new((void*)_resized.Data, _format.ElementCount);

    private void Normalize(ReadOnlySpan<byte> bgr, Span<float> tensor)
    {
        var planeSize = _format.PlaneSize;
        for (var c = 0; c < FrameTensorFormat.Channels; c++)
        {
            var plane = tensor.Slice(c * planeSize, planeSize);
            var multiplier = _multiplier[c];
            var offset = _offset[c];
            var source = _plane[c];
            for (var i = 0; i < planeSize; i++)
            {
                plane[i] = (bgr[(i * 3) + source] * multiplier) + offset;
            }
        }
    }

    public void Dispose()
    {
        _resizedOut.Dispose();
        _resized.Dispose();
    }
}
