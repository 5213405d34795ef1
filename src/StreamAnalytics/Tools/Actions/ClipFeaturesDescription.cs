namespace StreamAnalytics.Tools.Actions;

/// <summary>
/// FEATURES.json, written by <c>features action</c> beside its CSV: the recipe, T, the backbone and the views
/// the rows were computed with, so that a cached features file is reused only while it is still what the
/// current code would write.
/// </summary>
internal sealed record ClipFeaturesDescription(
    string Recipe,
    int Frames,
    int Length,
    FeatureBackbone Backbone,
    IReadOnlyList<string> Views,
    int Clips,
    OrderedDictionary<string, int> ClipsPerLabel,
    double Seconds,
    double MillisecondsPerClip,
    double EncodedFramesPerClip);
