namespace StreamAnalytics.Inference;

/// <summary>
/// An action head's class logits for one window, with the head that computed them: detection names the head
/// in its events, and reads the labels from here rather than from the backbone the window's outputs came from.
/// </summary>
/// <param name="Head">The head's manifest (name and version for the event).</param>
/// <param name="Labels">One per logit, in order.</param>
public sealed record ActionLogits(ModelManifest Head, IReadOnlyList<string> Labels, float[] Logits);
