namespace StreamAnalytics.Inference;

public sealed record ModelOutputSpec(string Name, OutputRole Role, IReadOnlyList<string> Labels);
