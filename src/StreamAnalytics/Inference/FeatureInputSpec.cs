namespace StreamAnalytics.Inference;

/// <summary>
/// What a head with <see cref="TensorLayout.Features"/> input consumes: one vector of <see cref="Length"/>
/// values per clip or window, computed by the feature recipe <see cref="Recipe"/> from the embeddings of
/// T frames (the input's <c>Frames</c>) encoded by the backbone named <see cref="Backbone"/>. The head is
/// only valid on top of that backbone and that recipe version: other embeddings mean other features.
/// </summary>
internal sealed record FeatureInputSpec(string Recipe, string Backbone, int Length)
{
    /// <summary>The one recipe version this build computes (the action head's <c>ClipFeatureRecipe</c>).</summary>
    public const string TemporalStatsV1 = "temporal-stats-v1";

    /// <summary>Differences need two frames.</summary>
    public const int MinimumFrames = 2;

    /// <summary>Recipe ids a manifest may name; the manifest loader refuses others before any head is built.</summary>
    public static readonly IReadOnlyList<string> KnownRecipes = [TemporalStatsV1];

    public static bool IsKnownRecipe(string id) => KnownRecipes.Contains(id, StringComparer.Ordinal);
}
