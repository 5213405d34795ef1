namespace StreamAnalytics.Tools.Actions;

/// <summary>
/// The JSON report of <c>eval action</c> (docs/models-action.md); <c>train.py --verify</c> reads it.
/// <see cref="Confusion"/> rows are true labels, columns predicted ones, both in <see cref="Labels"/> order.
/// </summary>
internal sealed record ActionEvalReport(
    EvaluatedHead Model,
    ModelIdentity Backbone,
    string Source,
    int Clips,
    double Accuracy,
    IReadOnlyList<string> Labels,
    IReadOnlyList<int[]> Confusion,
    IReadOnlyList<LabelRecall> PerLabel,
    double MillisecondsPerClip,
    IReadOnlyList<ClipPrediction> Results);
