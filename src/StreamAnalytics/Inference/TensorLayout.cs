namespace StreamAnalytics.Inference;

public enum TensorLayout
{
    /// <summary>A per-frame encoder: [batch, channels, height, width]; a window's output is built from its frames' outputs.</summary>
    Nchw,

    /// <summary>A clip model: [batch, channels, frames, height, width]; one output per window.</summary>
    Ncthw,
}
