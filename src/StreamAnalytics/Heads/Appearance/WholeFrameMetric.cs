using System.Numerics.Tensors;

namespace StreamAnalytics.Heads.Appearance;

/// <summary>The window's embedding as a whole: unit length, cosine distance. Learns nothing.</summary>
internal sealed class WholeFrameMetric : IWindowMetric
{
    public static readonly WholeFrameMetric Instance = new();

    private WholeFrameMetric()
    {
    }

    public float[] Prepare(ReadOnlySpan<float> window)
    {
        var copy = window.ToArray();
        var norm = TensorPrimitives.Norm(copy);
        if (norm > 0)
        {
            TensorPrimitives.Divide(copy, norm, copy);
        }

        return copy;
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
