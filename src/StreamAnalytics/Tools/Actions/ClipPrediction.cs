namespace StreamAnalytics.Tools.Actions;

/// <summary>One clip of an <see cref="ActionEvalReport"/>: its label, the head's prediction, and the probability of each label in the head's order.</summary>
internal sealed record ClipPrediction(string Path, string Label, string Predicted, int Views, OrderedDictionary<string, float> Probabilities);
