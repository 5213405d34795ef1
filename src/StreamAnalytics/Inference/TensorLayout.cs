namespace StreamAnalytics.Inference;

internal enum TensorLayout
{
    /// <summary>A per-frame encoder: [batch, channels, height, width]; a window's output is built from its frames' outputs.</summary>
    Nchw,

    /// <summary>A clip model: [batch, channels, frames, height, width]; one output per window.</summary>
    Ncthw,

    /// <summary>
    /// A head over a backbone: [batch, length], one feature vector per clip or window, computed by a
    /// feature recipe from T frame embeddings (see <see cref="FeatureInputSpec"/>). It takes no pixels.
    /// </summary>
    Features,
}
