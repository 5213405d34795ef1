namespace StreamAnalytics.Inference;

/// <summary>
/// What a head with <see cref="TensorLayout.Features"/> input consumes: one vector of <see cref="Length"/>
/// values per clip or window, computed by the feature recipe <see cref="Recipe"/> from the embeddings of
/// T frames (the input's <c>Frames</c>) encoded by the backbone named <see cref="Backbone"/>. The head is
/// only valid on top of that backbone and that recipe version: other embeddings mean other features.
/// </summary>
public sealed record FeatureInputSpec(string Recipe, string Backbone, int Length);
