namespace StreamAnalytics.Tools.Actions;

/// <summary>One label's row of an <see cref="ActionEvalReport"/>; <see cref="Recall"/> is null when no clip has the label.</summary>
internal sealed record LabelRecall(string Label, int Clips, int Correct, double? Recall);
