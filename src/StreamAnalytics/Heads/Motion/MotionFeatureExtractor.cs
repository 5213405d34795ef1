using System.Numerics.Tensors;
using OpenCvSharp;
using OpenCvSharp.Internal;
using StreamAnalytics.Ingest;
using StreamAnalytics.Windowing;

namespace StreamAnalytics.Heads.Motion;

/// <summary>
/// One camera's motion features: dense Farneback optical flow between consecutive frames at a small
/// grayscale analysis size, summarised per cell of an overlapping grid as a magnitude-weighted
/// direction histogram, a speed histogram and the mean absolute frame difference. Each pixel is added
/// once, to its atom (<see cref="CellAtoms"/>), and each cell sums its atoms. Stateful (it keeps
/// the previous frame), so one instance serves exactly one camera or one video, frame by frame in
/// decode order. All OpenCV buffers and their array wrappers are created once and OpenCV is called
/// through OpenCvSharp's native entry points: the <c>Cv2.*</c> wrappers allocate managed objects on
/// every call and their OutputArray cannot be reused, and a frame must cost no managed allocation here.
/// </summary>
internal sealed class MotionFeatureExtractor : IDisposable
{
    private const int BgrToGray = (int)ColorConversionCodes.BGR2GRAY;

    // A 1280x720 frame to 180x120 halves twice; 8 halvings reach 4096 -> 16, the extremes the settings allow.
    private const int MaxHalvings = 8;

    private readonly MotionFeatureOptions _options;
    private readonly Size _size;
    private readonly Mat _fullGray;
    private readonly OutputArray _fullGrayOut;
    private readonly InputArray _fullGrayIn;
    private readonly Mat[] _halves = new Mat[MaxHalvings];
    private readonly InputArray[] _halvesIn = new InputArray[MaxHalvings];
    private readonly OutputArray[] _halvesOut = new OutputArray[MaxHalvings];
    private readonly Mat[] _gray = new Mat[2];
    private readonly InputArray[] _grayIn = new InputArray[2];
    private readonly OutputArray[] _grayOut = new OutputArray[2];
    private readonly FarnebackFlow _flow;
    private AreaResampler? _resampler;

    // Atoms: the pieces the cell borders cut each axis into. All pixels of an atom lie in the same cells, so each pixel
    // is added once, to its atom, and each cell then adds up its atoms: one accumulation per pixel instead of one per
    // cell covering it (four, with cells overlapping by half).
    private readonly CellAtoms _columns;
    private readonly CellAtoms _rows;
    private readonly float[] _atomFeatures;
    private readonly float[] _magnitudeEdges;
    private readonly float _directionStep;
    private readonly float _inverseCellArea;
    private int _current;
    // The frame period is the larger of the time the last 30 frames took over 30, and the median of the last 9 gaps.
    // A live camera's frames arrive with jitter and in bursts. A stall followed by a burst moves single gaps a lot and
    // the span hardly, since no frame is lost; a burst of buffered frames when a stream starts shortens the span for
    // 30 frames, and the median for only a few. Longer is the safe side: a stride too short measures a little more.
    // The stride starts at 1 (every frame), and a new one is taken only once it has been indicated for
    // StrideConfirmFrames frames in a row: about the first 20 frames of a stream are measured one by one.
    private const int TimesKept = 31;
    private const int TimesNeeded = 6;
    private const int MedianGaps = 9;
    private const int StrideConfirmFrames = 15;
    private readonly long[] _times = new long[TimesKept];
    private int _timeCount;
    private DateTimeOffset? _lastFrame;
    private int _stride = 1;
    private int _candidateStride;
    private int _candidateFrames;
    private int? _sinceMeasured;
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
        // Sized by OpenCV on the first frame of each input size (natively: no managed allocation).
        _fullGray = new Mat();
        _fullGrayOut = OutputArray.Create(_fullGray);
        _fullGrayIn = InputArray.Create(_fullGray);
        for (var i = 0; i < MaxHalvings; i++)
        {
            _halves[i] = new Mat();
            _halvesIn[i] = InputArray.Create(_halves[i]);
            _halvesOut[i] = OutputArray.Create(_halves[i]);
        }

        for (var i = 0; i < 2; i++)
        {
            _gray[i] = new Mat(height, width, MatType.CV_8UC1, Scalar.All(0));
            _grayIn[i] = InputArray.Create(_gray[i]);
            _grayOut[i] = OutputArray.Create(_gray[i]);
        }

        _flow = new FarnebackFlow(width, height, options.FlowPyramidScale, options.FlowLevels, options.FlowWindowSize, options.FlowIterations, options.FlowPolyN, options.FlowPolySigma);

        _columns = new CellAtoms(options, width, options.Columns);
        _rows = new CellAtoms(options, height, options.Rows);
        _atomFeatures = new float[_columns.Count * _rows.Count * options.FeaturesPerCell];
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
        // Expanded once here and read again as the previous frame of the next flow.
        _flow.Expand(_gray[next], next);
        cellFeatures = cellFeatures[..FeatureLength];
        if (!_hasPrevious)
        {
            cellFeatures.Clear();
        }
        else
        {
            _flow.Compute(_current, next);
            Summarise(_gray[_current], _gray[next], cellFeatures);
        }

        _current = next;
        _hasPrevious = true;
    }

    /// <summary>Measured on every this-th frame now (<see cref="MotionFeatureOptions.MaxFps"/>); 1 until the frame rate is known.</summary>
    public int Stride => _stride;

    /// <summary>
    /// Whether a frame captured at <paramref name="captureTime"/> (footage time) is one to measure under
    /// <see cref="MotionFeatureOptions.MaxFps"/>: the first after <see cref="Reset"/>, then every n-th, n the least
    /// whole number that brings the frame rate (estimated from capture times) to at most MaxFps, with the slack
    /// <see cref="UpdateStride"/> describes. A stream starts at n = 1 and takes another n once 15 frames in a row
    /// indicate it; jitter and bursts do not change n. A whole stride keeps every flow spanning the same time, which is
    /// what makes the features of a camera comparable with each other. Callers pass only admitted frames to
    /// <see cref="Process"/>.
    /// </summary>
    public bool Admit(DateTimeOffset captureTime)
    {
        if (_options.MaxFps > 0 && (_lastFrame is not { } last || captureTime > last))
        {
            _times[_timeCount % TimesKept] = captureTime.UtcTicks;
            _timeCount++;
            if (_timeCount >= TimesNeeded)
            {
                UpdateStride();
            }
        }

        _lastFrame = captureTime;

        // Counted from the last measured frame, so the first flow after a reset already spans a whole stride.
        if (_sinceMeasured is { } since && since + 1 < _stride)
        {
            _sinceMeasured = since + 1;
            return false;
        }

        _sinceMeasured = 0;
        return true;
    }

    /// <summary>
    /// Stride for the estimated frame rate: the least n with rate/n ≤ MaxFps, given 0.3 of slack in rate/MaxFps, which
    /// keeps the common rates away from the points where n changes (10, 12 and 12.5 fps: 1; 15 to 20: 2; 24 to 30: 3
    /// under 10) and allows at most 30% more measurements than MaxFps.
    /// </summary>
    private void UpdateStride()
    {
        var kept = Math.Min(_timeCount, TimesKept);
        var newest = _times[(_timeCount - 1) % TimesKept];
        var oldest = _times[(_timeCount - kept) % TimesKept];
        var span = (double)(newest - oldest) / (kept - 1);
        Span<long> gaps = stackalloc long[MedianGaps];
        gaps = gaps[..Math.Min(kept - 1, MedianGaps)];
        for (var k = 0; k < gaps.Length; k++)
        {
            gaps[k] = _times[(_timeCount - 1 - k) % TimesKept] - _times[(_timeCount - 2 - k) % TimesKept];
        }

        gaps.Sort();
        var period = Math.Max(span, gaps[gaps.Length / 2]) / TimeSpan.TicksPerSecond;
        var stride = Math.Max(1, (int)Math.Ceiling((1 / (period * _options.MaxFps)) - 0.3));
        if (stride == _stride)
        {
            _candidateFrames = 0;
        }
        else if (stride == _candidateStride && ++_candidateFrames >= StrideConfirmFrames)
        {
            _stride = stride;
            _candidateFrames = 0;
        }
        else if (stride != _candidateStride)
        {
            _candidateStride = stride;
            _candidateFrames = 1;
        }
    }

    /// <summary>Forgets the previous frame, e.g. after a reconnect, so no flow is computed across a gap.</summary>
    public void Reset()
    {
        _hasPrevious = false;
        _lastFrame = null;
        _sinceMeasured = null;
        _timeCount = 0;
        _stride = 1;
        _candidateFrames = 0;
    }

    /// <summary>
    /// The frame as grey at the analysis size. A larger frame is converted to grey first (one channel instead of three
    /// for everything after), halved by 2x2 area averaging while it stays at least the analysis size (OpenCV's fast
    /// integer path), and only the rest of the way resized by the general area interpolation, which costs several
    /// times more per source pixel: from 1280x720 to 180x120, 0.45 ms instead of 2.2 ms on the 2-core VM (load average 6).
    /// </summary>
    private void ToGray(Frame frame, int target)
    {
        var width = _options.AnalysisWidth;
        var height = _options.AnalysisHeight;
        if (frame.Width == width && frame.Height == height)
        {
            Check(NativeMethods.imgproc_cvtColor(frame.InputArray.CvPtr, _grayOut[target].CvPtr, BgrToGray, 0), "grayscale conversion");
        }
        else
        {
            Check(NativeMethods.imgproc_cvtColor(frame.InputArray.CvPtr, _fullGrayOut.CvPtr, BgrToGray, 0), "grayscale conversion");
            var source = _fullGrayIn;
            var sourceMat = _fullGray;
            var w = frame.Width;
            var h = frame.Height;
            for (var k = 0; k < MaxHalvings && w / 2 >= width && h / 2 >= height; k++)
            {
                w /= 2;
                h /= 2;
                Resize(source, _halvesOut[k], new Size(w, h), InterpolationFlags.Area, frame);
                source = _halvesIn[k];
                sourceMat = _halves[k];
            }

            // The last shrink, where OpenCV would take its general area path (a 720p camera's 398x224 under
            // DecodeSize: auto): the same bytes in about a quarter of the time (docs/performance.md).
            _resampler = AreaResampler.For(_resampler, w, h, width, height, 1);
            if (_resampler is { } resampler)
            {
                resampler.Resize(Bytes(sourceMat, h), (int)sourceMat.Step(), Bytes(_gray[target], height));
            }
            else
            {
                Resize(source, _grayOut[target], _size, w >= width && h >= height ? InterpolationFlags.Area : InterpolationFlags.Linear, frame);
            }
        }

        GC.KeepAlive(frame);
    }

    private static unsafe Span<byte> Bytes(Mat mat, int rows) => new((void*)mat.Data, checked((int)mat.Step() * rows));

    private static void Resize(InputArray source, OutputArray destination, Size size, InterpolationFlags interpolation, Frame frame)
    {
        var status = NativeMethods.imgproc_resize(source.CvPtr, destination.CvPtr, size, 0, 0, (int)interpolation);
        if (status != ExceptionStatus.NotOccurred)
        {
            // Formatted only on failure: an interpolated argument would allocate on every frame.
            throw new InvalidOperationException($"OpenCV resize failed ({status}) for a {frame.Width}x{frame.Height} frame.");
        }
    }

    private unsafe void Summarise(Mat previous, Mat current, Span<float> features)
    {
        var width = _options.AnalysisWidth;
        var height = _options.AnalysisHeight;
        var perCell = _options.FeaturesPerCell;
        var directionBins = _options.DirectionBins;
        var speedOffset = directionBins;
        var diffOffset = directionBins + _options.MagnitudeBins;
        var edges = _magnitudeEdges;
        var lowest = edges[0];
        var step = _directionStep;
        var flow = _flow.Flow;
        var before = new ReadOnlySpan<byte>((void*)previous.Data, width * height);
        var after = new ReadOnlySpan<byte>((void*)current.Data, width * height);
        var atoms = _atomFeatures.AsSpan();
        var atomOfX = _columns.AtomOf;
        var atomsPerRow = _columns.Count;
        atoms.Clear();
        for (var y = 0; y < height; y++)
        {
            var atomRow = _rows.AtomOf[y] * atomsPerRow;
            var rowStart = y * width;
            for (var x = 0; x < width; x++)
            {
                var p = rowStart + x;
                var atom = atoms.Slice((atomRow + atomOfX[x]) * perCell, perCell);
                atom[diffOffset] += Math.Abs(after[p] - before[p]) * (1f / 255f);
                var fx = flow[2 * p];
                var fy = flow[(2 * p) + 1];
                var magnitude = MathF.Sqrt((fx * fx) + (fy * fy));
                if (magnitude >= lowest)
                {
                    // Magnitude-weighted: a fast object fills its direction bin faster than slow walkers.
                    var bin = (int)MathF.Round(MathF.Atan2(fy, fx) / step);
                    atom[((bin % directionBins) + directionBins) % directionBins] += magnitude;
                    var speedBin = 0;
                    while (speedBin + 1 < edges.Length && magnitude >= edges[speedBin + 1])
                    {
                        speedBin++;
                    }

                    atom[speedOffset + speedBin] += 1f;
                }
            }
        }

        features.Clear();
        var columns = _options.Columns;
        for (var r = 0; r < _options.Rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                var cell = features.Slice(((r * columns) + c) * perCell, perCell);
                for (var ay = _rows.First[r]; ay <= _rows.Last[r]; ay++)
                {
                    for (var ax = _columns.First[c]; ax <= _columns.Last[c]; ax++)
                    {
                        TensorPrimitives.Add(cell, atoms.Slice(((ay * atomsPerRow) + ax) * perCell, perCell), cell);
                    }
                }
            }
        }

        // Per-area averages, so cell size does not change the scale a model learns.
        TensorPrimitives.Multiply(features, _inverseCellArea, features);
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
        _flow.Dispose();
        for (var i = 0; i < 2; i++)
        {
            _grayOut[i].Dispose();
            _grayIn[i].Dispose();
            _gray[i].Dispose();
        }

        for (var i = 0; i < MaxHalvings; i++)
        {
            _halvesOut[i].Dispose();
            _halvesIn[i].Dispose();
            _halves[i].Dispose();
        }

        _fullGrayIn.Dispose();
        _fullGrayOut.Dispose();
        _fullGray.Dispose();
    }
}
