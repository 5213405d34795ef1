using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using OpenCvSharp;
using OpenCvSharp.Internal;

namespace StreamAnalytics.Heads.Motion;

/// <summary>
/// Dense Farneback optical flow to the bit of OpenCV's <c>calcOpticalFlowFarneback</c> (flags 0: box window, no initial
/// flow), with each frame's pyramid and polynomial expansion computed once. OpenCV's call expands both of its frames
/// every time, so a camera's every frame was expanded twice, once as the newer frame and once as the older; here a frame
/// is expanded into a slot when it arrives and the flow reads two slots.
/// </summary>
/// <remarks>
/// Blur, resize and type conversion are OpenCV's own calls with the arguments its Farneback passes; the expansion, the
/// matrix update and the box-window solve are written here with OpenCV's arithmetic: the same float and double
/// operations, in the same order, so the flow is the same float for float (<c>FarnebackFlowTests</c>).
/// </remarks>
internal sealed class FarnebackFlow : IDisposable
{
    // OpenCV adds no pyramid level with a side under this.
    private const int MinLevelSide = 32;
    private const int Border = 5;
    // C's FLT_EPSILON (float.Epsilon is the least denormal).
    private const double FloatEpsilon = 1.1920928955078125e-07;
    private static readonly float[] BorderWeights = [0.14f, 0.14f, 0.4472f, 0.4472f, 0.4472f];

    private readonly int _width;
    private readonly int _height;
    private readonly double _pyramidScale;
    private readonly int _windowSize;
    private readonly int _iterations;
    private readonly int _polyN;
    private readonly FarnebackLevel[] _levels;
    private readonly Mat _converted;
    private readonly InputArray _convertedIn;
    private readonly OutputArray _convertedOut;
    private readonly Mat _blurred;
    private readonly InputArray _blurredIn;
    private readonly OutputArray _blurredOut;
    private readonly float[] _kernel;
    private readonly double _ig11;
    private readonly double _ig03;
    private readonly double _ig33;
    private readonly double _ig55;
    private readonly float[] _row;
    private readonly bool _vectorised;
    private readonly double[] _columnSums;
    private readonly double[] _windowSums;
    private bool _disposed;

    public FarnebackFlow(int width, int height, double pyramidScale, int levels, int windowSize, int iterations, int polyN, double polySigma, bool vectorised = true)
    {
        if (width < 1 || height < 1 || !(pyramidScale is > 0 and < 1) || levels < 0 || windowSize < 1 || iterations < 1 || polyN < 1)
        {
            throw new ArgumentException($"Farneback settings are out of range: {width}x{height}, pyramid scale {pyramidScale}, levels {levels}, window {windowSize}, iterations {iterations}, polyN {polyN}.");
        }

        _width = width;
        _height = height;
        _pyramidScale = pyramidScale;
        _windowSize = windowSize;
        _iterations = iterations;
        _polyN = polyN;

        var count = 0;
        var scale = 1.0;
        for (; count < levels; count++)
        {
            scale *= pyramidScale;
            if (width * scale < MinLevelSide || height * scale < MinLevelSide)
            {
                break;
            }
        }

        _levels = new FarnebackLevel[count + 1];
        for (var k = 0; k <= count; k++)
        {
            scale = 1.0;
            for (var i = 0; i < k; i++)
            {
                scale *= pyramidScale;
            }

            var sigma = ((1.0 / scale) - 1) * 0.5;
            var smooth = Math.Max(RoundToInt(sigma * 5) | 1, 3);
            _levels[k] = new FarnebackLevel(RoundToInt(width * scale), RoundToInt(height * scale), sigma, smooth, k == 0);
        }

        _converted = new Mat(height, width, MatType.CV_32FC1);
        _convertedIn = InputArray.Create(_converted);
        _convertedOut = OutputArray.Create(_converted);
        _blurred = new Mat(height, width, MatType.CV_32FC1);
        _blurredIn = InputArray.Create(_blurred);
        _blurredOut = OutputArray.Create(_blurred);

        _kernel = new float[3 * ((2 * polyN) + 1)];
        (_ig11, _ig03, _ig33, _ig55) = PrepareGaussian(polyN, polySigma, _kernel);
        _row = new float[(width + (polyN * 2)) * 3];
        _vectorised = vectorised && Avx.IsSupported;
        _columnSums = new double[(width + ((windowSize / 2) * 2) + 2) * 5];
        _windowSums = new double[width * 5];
    }

    /// <summary>Expands <paramref name="gray"/> (8-bit, one channel, the flow's size) into <paramref name="slot"/> (0 or 1).</summary>
    public unsafe void Expand(Mat gray, int slot)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (gray.Width != _width || gray.Height != _height || gray.Type() != MatType.CV_8UC1)
        {
            throw new ArgumentException($"A {_width}x{_height} 8-bit grey frame is needed, not {gray.Width}x{gray.Height} of {gray.Type()}.", nameof(gray));
        }

        Check(NativeMethods.core_Mat_convertTo(gray.CvPtr, _convertedOut.CvPtr, MatType.CV_32FC1, 1, 0), "conversion to float");
        foreach (var level in _levels)
        {
            Check(NativeMethods.imgproc_GaussianBlur(_convertedIn.CvPtr, _blurredOut.CvPtr, new Size(level.Smooth, level.Smooth), level.Sigma, level.Sigma, BorderTypes.Reflect101), "pyramid blur");
            Mat image;
            if (level.FullSize)
            {
                // OpenCV's resize copies when the size does not change.
                image = _blurred;
            }
            else
            {
                Check(NativeMethods.imgproc_resize(_blurredIn.CvPtr, level.ImageOut.CvPtr, new Size(level.Width, level.Height), 0, 0, (int)InterpolationFlags.Linear), "pyramid resize");
                image = level.Image;
            }

            PolyExpand(new ReadOnlySpan<float>((void*)image.Data, level.Width * level.Height), level.Width, level.Height, level.Expansions[slot]);
        }

        GC.KeepAlive(gray);
    }

    /// <summary>The flow of the last <see cref="Compute"/>: two floats per pixel (dx, dy), row by row.</summary>
    public unsafe ReadOnlySpan<float> Flow => new((void*)_levels[0].Flow.Data, _width * _height * 2);

    /// <summary>
    /// Computes the flow from the frame in slot <paramref name="previous"/> to the one in <paramref name="next"/> into
    /// <see cref="Flow"/>, as <c>calcOpticalFlowFarneback</c> of the two frames would.
    /// </summary>
    public unsafe void Compute(int previous, int next)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        FarnebackLevel? coarser = null;
        for (var k = _levels.Length - 1; k >= 0; k--)
        {
            var level = _levels[k];
            var flow = new Span<float>((void*)level.Flow.Data, level.Width * level.Height * 2);
            if (coarser is null)
            {
                flow.Clear();
            }
            else
            {
                Check(NativeMethods.imgproc_resize(coarser.FlowIn.CvPtr, level.FlowOut.CvPtr, new Size(level.Width, level.Height), 0, 0, (int)InterpolationFlags.Linear), "flow resize");
                Check(NativeMethods.core_Mat_convertTo(level.Flow.CvPtr, level.FlowOut.CvPtr, MatType.CV_32FC2, 1.0 / _pyramidScale, 0), "flow scale");
            }

            var r0 = level.Expansions[previous];
            var r1 = level.Expansions[next];
            UpdateMatrices(r0, r1, flow, level.Matrices, level.Width, level.Height, 0, level.Height);
            for (var i = 0; i < _iterations; i++)
            {
                UpdateFlowBoxWindow(r0, r1, flow, level.Matrices, level.Width, level.Height, i < _iterations - 1);
            }

            coarser = level;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var level in _levels)
        {
            level.Dispose();
        }

        _convertedIn.Dispose();
        _convertedOut.Dispose();
        _converted.Dispose();
        _blurredIn.Dispose();
        _blurredOut.Dispose();
        _blurred.Dispose();
    }

    private static int RoundToInt(double value) => (int)Math.Round(value, MidpointRounding.ToEven);

    private static void Check(ExceptionStatus status, string step)
    {
        if (status != ExceptionStatus.NotOccurred)
        {
            throw new InvalidOperationException($"OpenCV failed in the optical flow's {step} ({status}).");
        }
    }

    /// <summary>
    /// The Gaussian applicability of the polynomial expansion (g, x·g, x²·g in <paramref name="kernel"/>, each 2n+1 long) and
    /// the four entries of the inverse of its 6x6 moment matrix that the expansion needs.
    /// </summary>
    private static (double Ig11, double Ig03, double Ig33, double Ig55) PrepareGaussian(int n, double sigma, float[] kernel)
    {
        if (sigma < FloatEpsilon)
        {
            sigma = n * 0.3;
        }

        var size = (2 * n) + 1;
        var g = kernel.AsSpan(0, size);
        var xg = kernel.AsSpan(size, size);
        var xxg = kernel.AsSpan(2 * size, size);
        var s = 0.0;
        for (var x = -n; x <= n; x++)
        {
            g[x + n] = (float)Math.Exp(-x * x / (2 * sigma * sigma));
            s += g[x + n];
        }

        s = 1.0 / s;
        for (var x = -n; x <= n; x++)
        {
            g[x + n] = (float)(g[x + n] * s);
            xg[x + n] = x * g[x + n];
            xxg[x + n] = x * x * g[x + n];
        }

        var m = new double[6, 6];
        for (var y = -n; y <= n; y++)
        {
            for (var x = -n; x <= n; x++)
            {
                var gy = g[y + n];
                var gx = g[x + n];
                m[0, 0] += gy * gx;
                m[1, 1] += gy * gx * x * x;
                m[3, 3] += gy * gx * x * x * x * x;
                m[5, 5] += gy * gx * x * x * y * y;
            }
        }

        m[2, 2] = m[0, 3] = m[0, 4] = m[3, 0] = m[4, 0] = m[1, 1];
        m[4, 4] = m[3, 3];
        m[3, 4] = m[4, 3] = m[5, 5];
        using var moments = Mat.FromArray(m);
        using var inverse = new Mat();
        Cv2.Invert(moments, inverse, DecompTypes.Cholesky);
        return (inverse.At<double>(1, 1), inverse.At<double>(0, 3), inverse.At<double>(3, 3), inverse.At<double>(5, 5));
    }

    /// <summary>
    /// The five coefficients of the local quadratic at every pixel, as five planes of <c>width*height</c> floats (OpenCV
    /// interleaves them; the values are the same): y, x, x², y², xy in the order OpenCV stores them.
    /// </summary>
    private void PolyExpand(ReadOnlySpan<float> source, int width, int height, float[] destination)
    {
        var n = _polyN;
        var size = (2 * n) + 1;
        var g = _kernel.AsSpan(n, n + 1);
        var xg = _kernel.AsSpan(size + n, n + 1);
        var xxg = _kernel.AsSpan((2 * size) + n, n + 1);
        var length = width + (2 * n);
        // The column sums of g, y·g and y²·g, one plane each, with n pixels of edge on either side.
        var sums0 = _row.AsSpan(0, length);
        var sums1 = _row.AsSpan(length, length);
        var sums2 = _row.AsSpan(2 * length, length);
        var plane = width * height;
        for (var y = 0; y < height; y++)
        {
            var centre = source.Slice(y * width, width);
            var inner0 = sums0.Slice(n, width);
            var inner1 = sums1.Slice(n, width);
            var inner2 = sums2.Slice(n, width);
            VerticalFirst(centre, g[0], inner0, inner1, inner2);
            for (var k = 1; k <= n; k++)
            {
                var above = source.Slice(Math.Max(y - k, 0) * width, width);
                var below = source.Slice(Math.Min(y + k, height - 1) * width, width);
                VerticalStep(above, below, g[k], xg[k], xxg[k], inner0, inner1, inner2);
            }

            // OpenCV extends the row by repeating its edge pixels.
            sums0[..n].Fill(sums0[n]);
            sums1[..n].Fill(sums1[n]);
            sums2[..n].Fill(sums2[n]);
            sums0[(n + width)..].Fill(sums0[n + width - 1]);
            sums1[(n + width)..].Fill(sums1[n + width - 1]);
            sums2[(n + width)..].Fill(sums2[n + width - 1]);

            var row = y * width;
            var x = 0;
            if (_vectorised)
            {
                x = HorizontalVectorised(sums0, sums1, sums2, width, g, xg, xxg, destination, row, plane);
            }

            for (; x < width; x++)
            {
                var c = n + x;
                var g0 = g[0];
                double b1 = sums0[c] * g0, b2 = 0, b3 = sums1[c] * g0, b4 = 0, b5 = sums2[c] * g0, b6 = 0;
                for (var k = 1; k <= n; k++)
                {
                    double tg = sums0[c + k] + sums0[c - k];
                    g0 = g[k];
                    b1 += tg * g0;
                    b4 += tg * xxg[k];
                    b2 += (sums0[c + k] - sums0[c - k]) * xg[k];
                    b3 += (sums1[c + k] + sums1[c - k]) * g0;
                    b6 += (sums1[c + k] - sums1[c - k]) * xg[k];
                    b5 += (sums2[c + k] + sums2[c - k]) * g0;
                }

                destination[row + x] = (float)(b3 * _ig11);
                destination[plane + row + x] = (float)(b2 * _ig11);
                destination[(2 * plane) + row + x] = (float)((b1 * _ig03) + (b5 * _ig33));
                destination[(3 * plane) + row + x] = (float)((b1 * _ig03) + (b4 * _ig33));
                destination[(4 * plane) + row + x] = (float)(b6 * _ig55);
            }
        }
    }

    private static void VerticalFirst(ReadOnlySpan<float> centre, float g0, Span<float> sums0, Span<float> sums1, Span<float> sums2)
    {
        var x = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var gv = Vector256.Create(g0);
            for (; x <= centre.Length - Vector256<float>.Count; x += Vector256<float>.Count)
            {
                (Vector256.Create(centre[x..]) * gv).CopyTo(sums0[x..]);
            }
        }

        for (; x < centre.Length; x++)
        {
            sums0[x] = centre[x] * g0;
        }

        sums1.Clear();
        sums2.Clear();
    }

    // Separate multiplies and adds, element by element, as OpenCV's loop: no fused multiply-add.
    private static void VerticalStep(ReadOnlySpan<float> above, ReadOnlySpan<float> below, float g0, float g1, float g2, Span<float> sums0, Span<float> sums1, Span<float> sums2)
    {
        var x = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var g0v = Vector256.Create(g0);
            var g1v = Vector256.Create(g1);
            var g2v = Vector256.Create(g2);
            for (; x <= above.Length - Vector256<float>.Count; x += Vector256<float>.Count)
            {
                var a = Vector256.Create(above[x..]);
                var b = Vector256.Create(below[x..]);
                var p = a + b;
                (Vector256.Create(sums0[x..]) + (g0v * p)).CopyTo(sums0[x..]);
                (Vector256.Create(sums1[x..]) + (g1v * (b - a))).CopyTo(sums1[x..]);
                (Vector256.Create(sums2[x..]) + (g2v * p)).CopyTo(sums2[x..]);
            }
        }

        for (; x < above.Length; x++)
        {
            var p = above[x] + below[x];
            var t0 = sums0[x] + (g0 * p);
            var t1 = sums1[x] + (g1 * (below[x] - above[x]));
            var t2 = sums2[x] + (g2 * p);
            sums0[x] = t0;
            sums1[x] = t1;
            sums2[x] = t2;
        }
    }

    /// <summary>
    /// The horizontal part four pixels at a time: each of OpenCV's float operations as a float vector, each of its double
    /// accumulations as a double vector, so every pixel gets OpenCV's values. Returns the first pixel left to the scalar loop.
    /// </summary>
    private int HorizontalVectorised(ReadOnlySpan<float> sums0, ReadOnlySpan<float> sums1, ReadOnlySpan<float> sums2, int width,
        ReadOnlySpan<float> g, ReadOnlySpan<float> xg, ReadOnlySpan<float> xxg, float[] destination, int row, int plane)
    {
        var n = _polyN;
        var ig11 = Vector256.Create(_ig11);
        var ig03 = Vector256.Create(_ig03);
        var ig33 = Vector256.Create(_ig33);
        var ig55 = Vector256.Create(_ig55);
        var g0 = Vector128.Create(g[0]);
        var x = 0;
        for (; x <= width - 4; x += 4)
        {
            var c = n + x;
            var b1 = Widen(Vector128.Create(sums0[c..]) * g0);
            var b3 = Widen(Vector128.Create(sums1[c..]) * g0);
            var b5 = Widen(Vector128.Create(sums2[c..]) * g0);
            var b2 = Vector256<double>.Zero;
            var b4 = Vector256<double>.Zero;
            var b6 = Vector256<double>.Zero;
            for (var k = 1; k <= n; k++)
            {
                var gk = Vector128.Create(g[k]);
                var xgk = Vector128.Create(xg[k]);
                var right0 = Vector128.Create(sums0[(c + k)..]);
                var left0 = Vector128.Create(sums0[(c - k)..]);
                var right1 = Vector128.Create(sums1[(c + k)..]);
                var left1 = Vector128.Create(sums1[(c - k)..]);
                var right2 = Vector128.Create(sums2[(c + k)..]);
                var left2 = Vector128.Create(sums2[(c - k)..]);
                var tg = Widen(right0 + left0);
                b1 += tg * Vector256.Create((double)g[k]);
                b4 += tg * Vector256.Create((double)xxg[k]);
                b2 += Widen((right0 - left0) * xgk);
                b3 += Widen((right1 + left1) * gk);
                b6 += Widen((right1 - left1) * xgk);
                b5 += Widen((right2 + left2) * gk);
            }

            var at = row + x;
            Narrow(b3 * ig11).CopyTo(destination.AsSpan(at));
            Narrow(b2 * ig11).CopyTo(destination.AsSpan(plane + at));
            Narrow((b1 * ig03) + (b5 * ig33)).CopyTo(destination.AsSpan((2 * plane) + at));
            Narrow((b1 * ig03) + (b4 * ig33)).CopyTo(destination.AsSpan((3 * plane) + at));
            Narrow(b6 * ig55).CopyTo(destination.AsSpan((4 * plane) + at));
        }

        return x;
    }

    private static Vector256<double> Widen(Vector128<float> values) => Avx.ConvertToVector256Double(values);

    private static Vector128<float> Narrow(Vector256<double> values) => Avx.ConvertToVector128Single(values);

    /// <summary>
    /// Per pixel, the normal equations (G11, G12, G22, h1, h2) of the displacement that moves R0's quadratic onto R1's,
    /// as five planes of <c>width*height</c> floats, for rows <paramref name="y0"/> to <paramref name="y1"/>.
    /// </summary>
    private void UpdateMatrices(float[] r0, float[] r1, ReadOnlySpan<float> flow, float[] matrices, int width, int height, int y0, int y1)
    {
        for (var y = y0; y < y1; y++)
        {
            var x = _vectorised && Avx2.IsSupported ? UpdateMatricesVectorised(r0, r1, flow, matrices, width, height, y) : 0;
            for (; x < width; x++)
            {
                UpdateMatricesAt(r0, r1, flow, matrices, width, height, x, y);
            }
        }
    }

    private static void UpdateMatricesAt(float[] r0, float[] r1, ReadOnlySpan<float> flow, float[] matrices, int width, int height, int x, int y)
    {
        var plane = width * height;
        var p = (y * width) + x;
        var dx = flow[2 * p];
        var dy = flow[(2 * p) + 1];
        var fx = x + dx;
        var fy = y + dy;
        var x1 = (int)MathF.Floor(fx);
        var y1 = (int)MathF.Floor(fy);
        float r2, r3, r4, r5, r6;
        fx -= x1;
        fy -= y1;
        if ((uint)x1 < (uint)(width - 1) && (uint)y1 < (uint)(height - 1))
        {
            var a00 = (1f - fx) * (1f - fy);
            var a01 = fx * (1f - fy);
            var a10 = (1f - fx) * fy;
            var a11 = fx * fy;
            var q = (y1 * width) + x1;
            r2 = Bilinear(r1, q, width, a00, a01, a10, a11);
            r3 = Bilinear(r1, plane + q, width, a00, a01, a10, a11);
            r4 = Bilinear(r1, (2 * plane) + q, width, a00, a01, a10, a11);
            r5 = Bilinear(r1, (3 * plane) + q, width, a00, a01, a10, a11);
            r6 = Bilinear(r1, (4 * plane) + q, width, a00, a01, a10, a11);
            r4 = (r0[(2 * plane) + p] + r4) * 0.5f;
            r5 = (r0[(3 * plane) + p] + r5) * 0.5f;
            r6 = (r0[(4 * plane) + p] + r6) * 0.25f;
        }
        else
        {
            r2 = r3 = 0f;
            r4 = r0[(2 * plane) + p];
            r5 = r0[(3 * plane) + p];
            r6 = r0[(4 * plane) + p] * 0.5f;
        }

        r2 = (r0[p] - r2) * 0.5f;
        r3 = (r0[plane + p] - r3) * 0.5f;
        r2 += (r4 * dy) + (r6 * dx);
        r3 += (r6 * dy) + (r5 * dx);
        if ((uint)(x - Border) >= (uint)(width - (Border * 2)) || (uint)(y - Border) >= (uint)(height - (Border * 2)))
        {
            var scale = (x < Border ? BorderWeights[x] : 1f)
                * (x >= width - Border ? BorderWeights[width - x - 1] : 1f)
                * (y < Border ? BorderWeights[y] : 1f)
                * (y >= height - Border ? BorderWeights[height - y - 1] : 1f);
            r2 *= scale;
            r3 *= scale;
            r4 *= scale;
            r5 *= scale;
            r6 *= scale;
        }

        matrices[p] = (r4 * r4) + (r6 * r6);
        matrices[plane + p] = (r4 + r5) * r6;
        matrices[(2 * plane) + p] = (r5 * r5) + (r6 * r6);
        matrices[(3 * plane) + p] = (r4 * r2) + (r6 * r3);
        matrices[(4 * plane) + p] = (r6 * r2) + (r5 * r3);
    }

    private static float Bilinear(float[] values, int q, int width, float a00, float a01, float a10, float a11) =>
        (a00 * values[q]) + (a01 * values[q + 1]) + (a10 * values[q + width]) + (a11 * values[q + width + 1]);

    /// <summary>
    /// <see cref="UpdateMatricesAt"/> for eight pixels at a time, with gathers for R1's bilinear look-ups and both of
    /// OpenCV's branches computed and selected per pixel. Returns the first pixel of row <paramref name="y"/> left to the scalar loop.
    /// </summary>
    private static unsafe int UpdateMatricesVectorised(float[] r0, float[] r1, ReadOnlySpan<float> flow, float[] matrices, int width, int height, int y)
    {
        var plane = width * height;
        var lastX = (uint)(width - 1);
        var lastY = (uint)(height - 1);
        var borderRow = (uint)(y - Border) >= (uint)(height - (Border * 2));
        var rowScale = (y < Border ? BorderWeights[y] : 1f, y >= height - Border ? BorderWeights[height - y - 1] : 1f);
        var half = Vector256.Create(0.5f);
        var quarter = Vector256.Create(0.25f);
        var one = Vector256.Create(1f);
        var lanes = Vector256.Create(0f, 1, 2, 3, 4, 5, 6, 7);
        var yf = Vector256.Create((float)y);
        Span<float> scales = stackalloc float[8];
        var x = 0;
        fixed (float* pr1 = r1)
        fixed (float* pflow = flow)
        {
            for (; x <= width - 8; x += 8)
            {
                var p = (y * width) + x;
                var pair0 = Avx.LoadVector256(pflow + (2 * p));
                var pair1 = Avx.LoadVector256(pflow + (2 * p) + 8);
                var dx = Avx2.Permute4x64(Avx.Shuffle(pair0, pair1, 0b10_00_10_00).AsDouble(), 0b11_01_10_00).AsSingle();
                var dy = Avx2.Permute4x64(Avx.Shuffle(pair0, pair1, 0b11_01_11_01).AsDouble(), 0b11_01_10_00).AsSingle();
                var fx = (Vector256.Create((float)x) + lanes) + dx;
                var fy = yf + dy;
                var x1 = Avx.ConvertToVector256Int32WithTruncation(Avx.RoundToNegativeInfinity(fx));
                var y1 = Avx.ConvertToVector256Int32WithTruncation(Avx.RoundToNegativeInfinity(fy));
                fx -= Avx.ConvertToVector256Single(x1);
                fy -= Avx.ConvertToVector256Single(y1);
                var inside = Vector256.LessThan(x1.AsUInt32(), Vector256.Create(lastX)) & Vector256.LessThan(y1.AsUInt32(), Vector256.Create(lastY));
                var q = Vector256.ConditionalSelect(inside.AsInt32(), (y1 * Vector256.Create(width)) + x1, Vector256<int>.Zero);
                var a00 = (one - fx) * (one - fy);
                var a01 = fx * (one - fy);
                var a10 = (one - fx) * fy;
                var a11 = fx * fy;

                var r2 = Gathered(pr1, q, width, a00, a01, a10, a11);
                var r3 = Gathered(pr1 + plane, q, width, a00, a01, a10, a11);
                var r4 = Gathered(pr1 + (2 * plane), q, width, a00, a01, a10, a11);
                var r5 = Gathered(pr1 + (3 * plane), q, width, a00, a01, a10, a11);
                var r6 = Gathered(pr1 + (4 * plane), q, width, a00, a01, a10, a11);
                var c0 = Vector256.Create(r0.AsSpan(p));
                var c1 = Vector256.Create(r0.AsSpan(plane + p));
                var c2 = Vector256.Create(r0.AsSpan((2 * plane) + p));
                var c3 = Vector256.Create(r0.AsSpan((3 * plane) + p));
                var c4 = Vector256.Create(r0.AsSpan((4 * plane) + p));
                var mask = inside.AsSingle();
                r2 = Vector256.ConditionalSelect(mask, r2, Vector256<float>.Zero);
                r3 = Vector256.ConditionalSelect(mask, r3, Vector256<float>.Zero);
                r4 = Vector256.ConditionalSelect(mask, (c2 + r4) * half, c2);
                r5 = Vector256.ConditionalSelect(mask, (c3 + r5) * half, c3);
                r6 = Vector256.ConditionalSelect(mask, (c4 + r6) * quarter, c4 * half);
                r2 = (c0 - r2) * half;
                r3 = (c1 - r3) * half;
                r2 += (r4 * dy) + (r6 * dx);
                r3 += (r6 * dy) + (r5 * dx);
                if (borderRow || x < Border || x + 8 > width - Border)
                {
                    // OpenCV scales border pixels only; a factor of exactly 1 leaves the others unchanged.
                    for (var j = 0; j < 8; j++)
                    {
                        var column = x + j;
                        scales[j] = (column < Border ? BorderWeights[column] : 1f)
                            * (column >= width - Border ? BorderWeights[width - column - 1] : 1f)
                            * rowScale.Item1
                            * rowScale.Item2;
                    }

                    var scale = Vector256.Create((ReadOnlySpan<float>)scales);
                    r2 *= scale;
                    r3 *= scale;
                    r4 *= scale;
                    r5 *= scale;
                    r6 *= scale;
                }

                ((r4 * r4) + (r6 * r6)).CopyTo(matrices.AsSpan(p));
                ((r4 + r5) * r6).CopyTo(matrices.AsSpan(plane + p));
                ((r5 * r5) + (r6 * r6)).CopyTo(matrices.AsSpan((2 * plane) + p));
                ((r4 * r2) + (r6 * r3)).CopyTo(matrices.AsSpan((3 * plane) + p));
                ((r6 * r2) + (r5 * r3)).CopyTo(matrices.AsSpan((4 * plane) + p));
            }
        }

        return x;
    }

    private static unsafe Vector256<float> Gathered(float* values, Vector256<int> q, int width, Vector256<float> a00, Vector256<float> a01, Vector256<float> a10, Vector256<float> a11)
    {
        var below = q + Vector256.Create(width);
        var v00 = Avx2.GatherVector256(values, q, 4);
        var v01 = Avx2.GatherVector256(values + 1, q, 4);
        var v10 = Avx2.GatherVector256(values, below, 4);
        var v11 = Avx2.GatherVector256(values + 1, below, 4);
        return (a00 * v00) + (a01 * v01) + (a10 * v10) + (a11 * v11);
    }

    /// <summary>
    /// Solves each pixel's equations summed over the box window (column sums in doubles, five planes, then a running
    /// sum along the row); with <paramref name="updateMatrices"/>, refreshes the matrices behind the window.
    /// </summary>
    private void UpdateFlowBoxWindow(float[] r0, float[] r1, Span<float> flow, float[] matrices, int width, int height, bool updateMatrices)
    {
        var blockSize = _windowSize;
        var m = blockSize / 2;
        var y0 = 0;
        var minUpdateStripe = Math.Max((1 << 10) / width, blockSize);
        var scale = 1.0 / (blockSize * blockSize);
        var plane = width * height;
        var length = width + (m * 2) + 2;
        var o = m + 1;
        var sums = _columnSums.AsSpan(0, length * 5);
        var window = _windowSums.AsSpan(0, width * 5);

        for (var c = 0; c < 5; c++)
        {
            var column = sums.Slice((c * length) + o, width);
            var top = matrices.AsSpan(c * plane, width);
            for (var x = 0; x < width; x++)
            {
                column[x] = top[x] * (m + 2);
            }

            for (var y = 1; y < m; y++)
            {
                var source = matrices.AsSpan((c * plane) + (Math.Min(y, height - 1) * width), width);
                for (var x = 0; x < width; x++)
                {
                    column[x] += source[x];
                }
            }
        }

        for (var y = 0; y < height; y++)
        {
            var leavingRow = Math.Max(y - m - 1, 0) * width;
            var enteringRow = Math.Min(y + m, height - 1) * width;
            for (var c = 0; c < 5; c++)
            {
                var all = sums.Slice(c * length, length);
                AddDifference(all.Slice(o, width), matrices.AsSpan((c * plane) + enteringRow, width), matrices.AsSpan((c * plane) + leavingRow, width));
                all[..o].Fill(all[o]);
                all[(o + width)..].Fill(all[o + width - 1]);
            }

            var s0 = sums[..length];
            var s1 = sums.Slice(length, length);
            var s2 = sums.Slice(2 * length, length);
            var s3 = sums.Slice(3 * length, length);
            var s4 = sums.Slice(4 * length, length);
            var g11 = s0[o] * (m + 2);
            var g12 = s1[o] * (m + 2);
            var g22 = s2[o] * (m + 2);
            var h1 = s3[o] * (m + 2);
            var h2 = s4[o] * (m + 2);
            for (var x = 1; x < m; x++)
            {
                g11 += s0[o + x];
                g12 += s1[o + x];
                g22 += s2[o + x];
                h1 += s3[o + x];
                h2 += s4[o + x];
            }

            // The running sums along the row (each pixel's depends on the last), then each pixel's solve from them.
            var w11 = window[..width];
            var w12 = window.Slice(width, width);
            var w22 = window.Slice(2 * width, width);
            var wh1 = window.Slice(3 * width, width);
            var wh2 = window.Slice(4 * width, width);
            for (var x = 0; x < width; x++)
            {
                var add = o + x + m;
                var drop = o + x - m - 1;
                w11[x] = g11 += s0[add] - s0[drop];
                w12[x] = g12 += s1[add] - s1[drop];
                w22[x] = g22 += s2[add] - s2[drop];
                wh1[x] = h1 += s3[add] - s3[drop];
                wh2[x] = h2 += s4[add] - s4[drop];
            }

            Solve(w11, w12, w22, wh1, wh2, scale, flow.Slice(y * width * 2, width * 2));

            var y1 = y == height - 1 ? height : y - blockSize;
            if (updateMatrices && (y1 == height || y1 >= y0 + minUpdateStripe))
            {
                UpdateMatrices(r0, r1, flow, matrices, width, height, y0, y1);
                y0 = y1;
            }
        }
    }

    /// <summary>Each pixel's 2x2 system from its window sums, solved as OpenCV does (a 1e-3 ridge), four pixels at a time in doubles.</summary>
    private void Solve(ReadOnlySpan<double> g11, ReadOnlySpan<double> g12, ReadOnlySpan<double> g22, ReadOnlySpan<double> h1, ReadOnlySpan<double> h2, double scale, Span<float> flow)
    {
        var width = g11.Length;
        var x = 0;
        if (_vectorised)
        {
            var scales = Vector256.Create(scale);
            var one = Vector256.Create(1.0);
            var ridge = Vector256.Create(1e-3);
            for (; x <= width - 4; x += 4)
            {
                var a = Vector256.Create(g11[x..]) * scales;
                var b = Vector256.Create(g12[x..]) * scales;
                var d = Vector256.Create(g22[x..]) * scales;
                var e = Vector256.Create(h1[x..]) * scales;
                var f = Vector256.Create(h2[x..]) * scales;
                var idet = one / ((a * d) - (b * b) + ridge);
                var u = Narrow(((a * f) - (b * e)) * idet);
                var v = Narrow(((d * e) - (b * f)) * idet);
                Sse.UnpackLow(u, v).CopyTo(flow[(2 * x)..]);
                Sse.UnpackHigh(u, v).CopyTo(flow[((2 * x) + 4)..]);
            }
        }

        for (; x < width; x++)
        {
            var a = g11[x] * scale;
            var b = g12[x] * scale;
            var d = g22[x] * scale;
            var e = h1[x] * scale;
            var f = h2[x] * scale;
            var idet = 1.0 / ((a * d) - (b * b) + 1e-3);
            flow[x * 2] = (float)(((a * f) - (b * e)) * idet);
            flow[(x * 2) + 1] = (float)(((d * e) - (b * f)) * idet);
        }
    }

    /// <summary><c>sums[x] += entering[x] - leaving[x]</c>: the difference in float, as OpenCV, the sum in double.</summary>
    private void AddDifference(Span<double> sums, ReadOnlySpan<float> entering, ReadOnlySpan<float> leaving)
    {
        var x = 0;
        if (_vectorised)
        {
            for (; x <= sums.Length - 4; x += 4)
            {
                (Vector256.Create((ReadOnlySpan<double>)sums[x..]) + Widen(Vector128.Create(entering[x..]) - Vector128.Create(leaving[x..]))).CopyTo(sums[x..]);
            }
        }

        for (; x < sums.Length; x++)
        {
            sums[x] += entering[x] - leaving[x];
        }
    }
}
