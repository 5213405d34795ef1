using StreamAnalytics.Configuration;
using StreamAnalytics.Heads;
using StreamAnalytics.Inference;

namespace StreamAnalytics.Hosting;

/// <summary>What start-up checks produced: valid options, a loaded model and its detectors, or every problem found.</summary>
internal sealed record StartupPlan(StreamAnalyticsOptions Options, OnnxModel? Model, IReadOnlyList<string> Problems)
{
    /// <summary>The detectors, checked and loaded; each adds its frame and window heads to the pipeline.</summary>
    public IReadOnlyList<IHeadModule> Heads { get; init; } = [];

    /// <summary>The cameras added through the API (from the state's cameras.json), as posted, by id; they are in <see cref="StreamAnalyticsOptions.Cameras"/> too.</summary>
    public IReadOnlyDictionary<string, System.Text.Json.JsonElement> ApiCameras { get; init; } = new Dictionary<string, System.Text.Json.JsonElement>();

    /// <summary>The API's bearer token, when one is configured (needed off loopback).</summary>
    public Http.ApiToken? ApiToken { get; init; }

    /// <summary>This process's share of a sharded deployment (0 when not sharded).</summary>
    public int ShardOrdinal { get; init; }

    /// <summary>Whether this process runs the camera: always unless sharded, then when the camera's shard is this one.</summary>
    public bool RunsHere(string cameraId) => Options.Sharding.Count <= 1 || CameraShard.Of(cameraId, Options.Sharding.Count) == ShardOrdinal;

    public bool IsValid => Problems.Count == 0 && Model is not null;

    /// <summary>The first detector of type <typeparamref name="T"/> (for diagnostics and tests).</summary>
    public T Head<T>() where T : IHeadModule => Heads.OfType<T>().First();

    /// <summary>Releases the model and whatever the detectors loaded (a <c>check</c> run, or a host that has stopped).</summary>
    public void Release()
    {
        foreach (var head in Heads)
        {
            head.Dispose();
        }

        Model?.Dispose();
    }
}
