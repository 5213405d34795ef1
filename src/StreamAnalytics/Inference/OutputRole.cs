namespace StreamAnalytics.Inference;

internal enum OutputRole
{
    /// <summary>A feature vector; the anomaly detector learns and scores these.</summary>
    Embedding,

    /// <summary>Unnormalised class scores, one per label; the action rule applies softmax and thresholds.</summary>
    ClassLogits,

    /// <summary>A single score a model computes itself; higher is more anomalous.</summary>
    AnomalyScore,

    /// <summary>
    /// A per-frame spatial feature map (channels × cells), read by a feature recipe for an action head
    /// (the action head's <c>ClipFeatureRecipe</c>); detection itself ignores it. It may name an intermediate tensor of
    /// the graph, which is then exposed as an output at load time (<see cref="OnnxGraphEdits"/>).
    /// </summary>
    FeatureMap,
}
