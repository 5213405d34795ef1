using StreamAnalytics.Configuration;
using StreamAnalytics.Inference;

namespace StreamAnalytics.Hosting;

/// <summary>What start-up checks produced: valid options and a loaded model, or every problem found.</summary>
public sealed record StartupPlan(StreamAnalyticsOptions Options, OnnxModel? Model, IReadOnlyList<string> Problems)
{
    public bool IsValid => Problems.Count == 0 && Model is not null;
}
