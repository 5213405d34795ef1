using OpenCvSharp;
using OpenCvSharp.Internal;
using StreamAnalytics.Ingest;

namespace StreamAnalytics.Heads.Motion;

/// <summary>
/// One camera's motion features: dense Farneback optical flow between consecutive frames at a small
/// grayscale analysis size, summarised per cell of an overlapping grid as a magnitude-weighted
/// direction histogram, a speed histogram and the mean absolute frame difference. Stateful (it keeps
/// the previous frame), so one instance serves exactly one camera or one video, frame by frame in
/// decode order. All OpenCV buffers and their array wrappers are created once and OpenCV is called
/// through OpenCvSharp's native entry points: the <c>Cv2.*</c> wrappers allocate managed objects on
/// every call and their OutputArray cannot be reused, and a frame must cost no managed allocation here.
/// </summary>
internal sealed class MotionFeatureExtractor : IDisposable
{
    private const int BgrToGray = (int)ColorConversionCodes.BGR2GRAY;

    private readonly MotionFeatureOptions _options;
    private readonly Size _size;
    private readonly Mat _small;
    private readonly OutputArray _smallOut;
    private readonly InputArray _smallIn;
    private readonly Mat[] _gray = new Mat[2];
    private readonly InputArray[] _grayIn = new InputArray[2];
    private readonly OutputArray[] _grayOut = new OutputArray[2];
    private readonly Mat _flow;
    private readonly InputOutputArray _flowOut;

    // For each pixel column/row, the first and last grid column/row whose cell contains it.
    private readonly int[] _firstColumn;
    private readonly int[] _lastColumn;
    private readonly int[] _firstRow;
    private readonly int[] _lastRow;
    private readonly float[] _magnitudeEdges;
    private readonly float _directionStep;
    private readonly float _inverseCellArea;
    private int _current;
    private bool _hasPrevious;
    private bool _disposed;

    public MotionFeatureExtractor(MotionFeatureOptions options)
    {
        var problems = options.Problems();
        if (problems.Count > 0)
        {
            throw new ArgumentException("Motion feature settings are invalid: " + string.Join("; ", problems), nameof(options));
        }

        _options = options;
        var width = options.AnalysisWidth;
        var height = options.AnalysisHeight;
        _size = new Size(width, height);
        _small = new Mat(height, width, MatType.CV_8UC3);
        _smallOut = OutputArray.Create(_small);
        _smallIn = InputArray.Create(_small);
        for (var i = 0; i < 2; i++)
        {
            _gray[i] = new Mat(height, width, MatType.CV_8UC1, Scalar.All(0));
            _grayIn[i] = InputArray.Create(_gray[i]);
            _grayOut[i] = OutputArray.Create(_gray[i]);
        }

        _flow = new Mat(height, width, MatType.CV_32FC2, Scalar.All(0));
        _flowOut = InputOutputArray.Create(_flow);

        (_firstColumn, _lastColumn) = Coverage(options, width, options.Columns);
        (_firstRow, _lastRow) = Coverage(options, height, options.Rows);
        _magnitudeEdges = new float[options.MagnitudeBins];
        for (var k = 0; k < _magnitudeEdges.Length; k++)
        {
            _magnitudeEdges[k] = options.MagnitudeBase * MathF.Pow(2, k);
        }

        _directionStep = 2 * MathF.PI / options.DirectionBins;
        _inverseCellArea = 1f / (options.CellSize * options.CellSize);
    }

    public MotionFeatureOptions Options => _options;

    /// <summary>Floats written by <see cref="Process"/>: <see cref="MotionFeatureOptions.FeaturesPerCell"/> per cell, cell by cell.</summary>
    public int FeatureLength => _options.FeatureLength;

    /// <summary>Whether the next frame has a predecessor to be compared with.</summary>
    public bool HasPrevious => _hasPrevious;

    /// <summary>
    /// Writes the motion between the previous frame and <paramref name="frame"/> into
    /// <paramref name="cellFeatures"/>. The first frame (or the first after <see cref="Reset"/>) has
    /// nothing to compare with and gives zeros. Does not take ownership of the frame.
    /// </summary>
    public void Process(Frame frame, Span<float> cellFeatures)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (cellFeatures.Length < FeatureLength)
        {
            throw new ArgumentException($"Feature buffer holds {cellFeatures.Length} floats; {FeatureLength} are needed.", nameof(cellFeatures));
        }

        var next = 1 - _current;
        ToGray(frame, next);
        cellFeatures = cellFeatures[..FeatureLength];
        if (!_hasPrevious)
        {
            cellFeatures.Clear();
        }
        else
        {
            var o = _options;
            Check(NativeMethods.video_calcOpticalFlowFarneback(
                _grayIn[_current].CvPtr, _grayIn[next].CvPtr, _flowOut.CvPtr,
                o.FlowPyramidScale, o.FlowLevels, o.FlowWindowSize, o.FlowIterations, o.FlowPolyN, o.FlowPolySigma, 0), "optical flow");
            Summarise(_gray[_current], _gray[next], cellFeatures);
        }

        _current = next;
        _hasPrevious = true;
    }

    /// <summary>Forgets the previous frame, e.g. after a reconnect, so no flow is computed across a gap.</summary>
    public void Reset() => _hasPrevious = false;

    private void ToGray(Frame frame, int target)
    {
        if (frame.Width == _options.AnalysisWidth && frame.Height == _options.AnalysisHeight)
        {
            Check(NativeMethods.imgproc_cvtColor(frame.InputArray.CvPtr, _grayOut[target].CvPtr, BgrToGray, 0), "grayscale conversion");
        }
        else
        {
            var interpolation = frame.Width >= _options.AnalysisWidth && frame.Height >= _options.AnalysisHeight ? InterpolationFlags.Area : InterpolationFlags.Linear;
            var status = NativeMethods.imgproc_resize(frame.InputArray.CvPtr, _smallOut.CvPtr, _size, 0, 0, (int)interpolation);
            if (status != ExceptionStatus.NotOccurred)
            {
                // Formatted only on failure: an interpolated argument would allocate on every frame.
                throw new InvalidOperationException($"OpenCV resize failed ({status}) for a {frame.Width}x{frame.Height} frame.");
            }

            Check(NativeMethods.imgproc_cvtColor(_smallIn.CvPtr, _grayOut[target].CvPtr, BgrToGray, 0), "grayscale conversion");
        }

        GC.KeepAlive(frame);
    }

    private unsafe void Summarise(Mat previous, Mat current, Span<float> features)
    {
        features.Clear();
        var width = _options.AnalysisWidth;
        var height = _options.AnalysisHeight;
        var columns = _options.Columns;
        var perCell = _options.FeaturesPerCell;
        var directionBins = _options.DirectionBins;
        var speedOffset = directionBins;
        var diffOffset = directionBins + _options.MagnitudeBins;
        var edges = _magnitudeEdges;
        var lowest = edges[0];
        var step = _directionStep;
        var flow = new ReadOnlySpan<float>((void*)_flow.Data, width * height * 2);
        var before = new ReadOnlySpan<byte>((void*)previous.Data, width * height);
        var after = new ReadOnlySpan<byte>((void*)current.Data, width * height);
        for (var y = 0; y < height; y++)
        {
            var firstRow = _firstRow[y];
            var lastRow = _lastRow[y];
            var rowStart = y * width;
            for (var x = 0; x < width; x++)
            {
                var p = rowStart + x;
                var fx = flow[2 * p];
                var fy = flow[(2 * p) + 1];
                var magnitude = MathF.Sqrt((fx * fx) + (fy * fy));
                var difference = Math.Abs(after[p] - before[p]) * (1f / 255f);
                var directionBin = -1;
                var speedBin = -1;
                if (magnitude >= lowest)
                {
                    var bin = (int)MathF.Round(MathF.Atan2(fy, fx) / step);
                    directionBin = ((bin % directionBins) + directionBins) % directionBins;
                    speedBin = 0;
                    while (speedBin + 1 < edges.Length && magnitude >= edges[speedBin + 1])
                    {
                        speedBin++;
                    }
                }

                for (var r = firstRow; r <= lastRow; r++)
                {
                    for (var c = _firstColumn[x]; c <= _lastColumn[x]; c++)
                    {
                        var cell = features.Slice(((r * columns) + c) * perCell, perCell);
                        cell[diffOffset] += difference;
                        if (directionBin >= 0)
                        {
                            // Magnitude-weighted: a fast object fills its direction bin faster than slow walkers.
                            cell[directionBin] += magnitude;
                            cell[speedOffset + speedBin] += 1f;
                        }
                    }
                }
            }
        }

        // Per-area averages, so cell size does not change the scale a model learns.
        for (var i = 0; i < features.Length; i++)
        {
            features[i] *= _inverseCellArea;
        }
    }

    private static (int[] First, int[] Last) Coverage(MotionFeatureOptions options, int length, int count)
    {
        var first = new int[length];
        var last = new int[length];
        Array.Fill(first, int.MaxValue);
        Array.Fill(last, -1);
        for (var i = 0; i < count; i++)
        {
            var origin = options.CellOrigin(i, length);
            for (var p = origin; p < Math.Min(length, origin + options.CellSize); p++)
            {
                first[p] = Math.Min(first[p], i);
                last[p] = Math.Max(last[p], i);
            }
        }

        for (var p = 0; p < length; p++)
        {
            if (last[p] < 0)
            {
                // Not covered by any cell (cannot happen with flush grids; kept safe): contributes nowhere.
                first[p] = 0;
            }
        }

        return (first, last);
    }

    private static void Check(ExceptionStatus status, string what)
    {
        if (status != ExceptionStatus.NotOccurred)
        {
            throw new InvalidOperationException($"OpenCV {what} failed ({status}).");
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _flowOut.Dispose();
        _flow.Dispose();
        for (var i = 0; i < 2; i++)
        {
            _grayOut[i].Dispose();
            _grayIn[i].Dispose();
            _gray[i].Dispose();
        }

        _smallIn.Dispose();
        _smallOut.Dispose();
        _small.Dispose();
    }
}
