using System.Numerics.Tensors;

namespace StreamAnalytics.Heads.Appearance;

/// <summary>The window's embedding as a whole: unit length, cosine distance. Learns nothing.</summary>
internal sealed class WholeFrameMetric : IWindowMetric
{
    public static readonly WholeFrameMetric Instance = new();

    private WholeFrameMetric()
    {
    }

    public void Prepare(ReadOnlySpan<float> window, Span<float> destination)
    {
        window.CopyTo(destination);
        var norm = TensorPrimitives.Norm(window);
        if (norm > 0)
        {
            TensorPrimitives.Divide(destination[..window.Length], norm, destination);
        }
    }

    public double Nearest(float[] query, IReadOnlyList<float[]> normal, int skip)
    {
        var best = double.MaxValue;
        for (var i = 0; i < normal.Count; i++)
        {
            if (i != skip)
            {
                best = Math.Min(best, Distance(query, normal[i]));
            }
        }

        return Math.Max(0, best);
    }

    public double Distance(float[] a, float[] b) => 1.0 - TensorPrimitives.Dot(a, b);

    public void Calibrate(IReadOnlyList<float[]> normal)
    {
    }
}
