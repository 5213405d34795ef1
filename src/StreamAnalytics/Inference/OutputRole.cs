namespace StreamAnalytics.Inference;

public enum OutputRole
{
    /// <summary>A feature vector; the anomaly detector learns and scores these.</summary>
    Embedding,

    /// <summary>Unnormalised class scores, one per label; the action rule applies softmax and thresholds.</summary>
    ClassLogits,

    /// <summary>A single score a model computes itself; higher is more anomalous.</summary>
    AnomalyScore,
}
