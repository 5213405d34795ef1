namespace StreamAnalytics.Inference;

internal sealed record ModelOutputSpec(string Name, OutputRole Role, IReadOnlyList<string> Labels);
