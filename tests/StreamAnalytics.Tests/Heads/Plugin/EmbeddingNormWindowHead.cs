using StreamAnalytics.Contracts;
using StreamAnalytics.Inference;

namespace StreamAnalytics.Tests.Heads.Plugin;

/// <summary>A window head written outside src/: the L2 norm of the window's embedding, labelled per camera count of windows seen.</summary>
internal sealed class EmbeddingNormWindowHead(double threshold) : IWindowHead
{
    public const string HeadName = "test-embedding-norm";

    public string Name => HeadName;

    public int Windows { get; private set; }

    public void Evaluate(in WindowOutputs window, ICollection<HeadResult> results)
    {
        Windows++;
        for (var o = 0; o < window.Model.Outputs.Count; o++)
        {
            if (window.Model.Outputs[o].Role == OutputRole.Embedding)
            {
                var norm = Math.Sqrt(window.Outputs[o].Sum(v => (double)v * v));
                results.Add(new HeadResult(HeadName, "0.1", HeadKind.Anomaly, "norm", norm, threshold, norm > threshold));
            }
        }
    }

    public void Dispose()
    {
        // Holds nothing.
    }
}
