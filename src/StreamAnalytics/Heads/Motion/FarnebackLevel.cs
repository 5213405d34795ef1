using OpenCvSharp;

namespace StreamAnalytics.Heads.Motion;

/// <summary>One pyramid level of <see cref="FarnebackFlow"/>: its size, its blur, and the buffers it keeps between frames.</summary>
internal sealed class FarnebackLevel : IDisposable
{
    public FarnebackLevel(int width, int height, double sigma, int smooth, bool fullSize)
    {
        Width = width;
        Height = height;
        Sigma = sigma;
        Smooth = smooth;
        FullSize = fullSize;
        Image = new Mat(height, width, MatType.CV_32FC1);
        ImageOut = OutputArray.Create(Image);
        Flow = new Mat(height, width, MatType.CV_32FC2, Scalar.All(0));
        FlowIn = InputArray.Create(Flow);
        FlowOut = OutputArray.Create(Flow);
        Expansions = [new float[width * height * 5], new float[width * height * 5]];
        Matrices = new float[width * height * 5];
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>The Gaussian's sigma before the frame is shrunk to this level (0 at full size: OpenCV's 3x3 default).</summary>
    public double Sigma { get; }

    /// <summary>The Gaussian's side in pixels.</summary>
    public int Smooth { get; }

    /// <summary>The level at the frame's own size, where OpenCV's resize is a copy and the blurred frame is used as it is.</summary>
    public bool FullSize { get; }

    /// <summary>The blurred frame shrunk to this level (unused at full size).</summary>
    public Mat Image { get; }

    public OutputArray ImageOut { get; }

    /// <summary>The flow at this level, two floats per pixel; at full size, the result.</summary>
    public Mat Flow { get; }

    public InputArray FlowIn { get; }

    public OutputArray FlowOut { get; }

    /// <summary>The polynomial expansion of the frame in each of the two slots, five floats per pixel.</summary>
    public float[][] Expansions { get; }

    /// <summary>The per-pixel normal equations of the flow being solved, five floats per pixel.</summary>
    public float[] Matrices { get; }

    public void Dispose()
    {
        ImageOut.Dispose();
        Image.Dispose();
        FlowIn.Dispose();
        FlowOut.Dispose();
        Flow.Dispose();
    }
}
