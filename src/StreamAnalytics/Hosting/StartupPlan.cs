using StreamAnalytics.Configuration;
using StreamAnalytics.Inference;

namespace StreamAnalytics.Hosting;

/// <summary>What start-up checks produced: valid options and a loaded model, or every problem found.</summary>
public sealed record StartupPlan(StreamAnalyticsOptions Options, OnnxModel? Model, IReadOnlyList<string> Problems)
{
    /// <summary>Learned motion states, by camera id, for cameras that have one.</summary>
    public IReadOnlyDictionary<string, Detection.MotionNormalityModel> MotionModels { get; init; } = new Dictionary<string, Detection.MotionNormalityModel>();

    /// <summary>The action head of <c>Model.ActionHead</c>, paired with <see cref="Model"/>; null when none is configured.</summary>
    public ActionHead? ActionHead { get; init; }

    public bool IsValid => Problems.Count == 0 && Model is not null;
}
