using StreamAnalytics.Contracts;

namespace StreamAnalytics.Inference;

/// <summary>
/// A head that sees a window's model outputs (the appearance detector on the window embedding, an action
/// classifier on its frames' features). One instance serves every camera and runs on the inference thread,
/// after the backbone, while the window and its frames' outputs are still held: keep per-camera state keyed
/// by <see cref="WindowOutputs.CameraId"/>, and never block.
/// </summary>
internal interface IWindowHead : IDisposable
{
    /// <summary>The head's name, for logs and metrics.</summary>
    string Name { get; }

    /// <summary>
    /// True when the head must see every window, so no camera's motion gate may skip one while it runs (the action
    /// heads: they were measured on every window). A head that keeps its last verdict through a still scene leaves it false.
    /// </summary>
    bool NeedsEveryWindow => false;

    /// <summary>Adds this head's verdicts on one window (none, one, or one per label) to <paramref name="results"/>.</summary>
    void Evaluate(in WindowOutputs window, ICollection<HeadResult> results);
}
