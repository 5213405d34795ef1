namespace StreamAnalytics.Inference;

/// <summary>Which execution provider a model asks for, and the settings each provider takes.</summary>
internal sealed record ProviderChoice(string ExecutionProvider, int DeviceId, int IntraOpThreads, string TensorRtCacheDirectory);
