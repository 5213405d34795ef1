using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;

namespace StreamAnalytics.Inference.Remote;

/// <summary>
/// Asks the endpoint for the model's metadata once at start. A model that does not match the manifest is a
/// problem (the process does not start); an endpoint that does not answer is only a warning, because an
/// operator's Triton may come up after this process: every batch tries it again.
/// </summary>
internal static partial class RemoteStartupCheck
{
    /// <returns>Every mismatch between the endpoint's model and <paramref name="model"/>'s manifest; none when it matches or cannot be reached.</returns>
    public static async Task<IReadOnlyList<string>> CheckAsync(RemoteModelOptions options, IInferenceModel model, ILogger logger, TimeProvider time, CancellationToken cancellationToken, HttpMessageHandler? handler = null)
    {
        using var client = new KServeClient(options, time, handler);
        try
        {
            var metadata = await client.MetadataAsync(cancellationToken).ConfigureAwait(false);
            var problems = KServeMetadataCheck.Problems(metadata, model, client.Where);
            if (problems.Count == 0)
            {
                LogMatches(logger, client.Where, model.Manifest.ManifestPath);
            }

            return problems;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            var meanwhile = options.FallbackToLocal
                ? $"batches run on the local model ({model.ExecutionProvider}) until it answers"
                : "batches that reach it before it answers are dropped and counted";
            LogUnreachable(logger, client.Where, KServeClient.Describe(ex), meanwhile);
            return [];
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Where} serves what manifest '{Manifest}' describes")]
    private static partial void LogMatches(ILogger logger, string where, string manifest);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Where} cannot be reached at start ({Reason}); starting anyway and trying it for every batch: {Meanwhile}")]
    private static partial void LogUnreachable(ILogger logger, string where, string reason, string meanwhile);
}
