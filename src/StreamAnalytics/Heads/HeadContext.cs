using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Inference;

namespace StreamAnalytics.Heads;

/// <summary>What a detector may read while it checks and loads: the validated options and the backbone's manifest. <see cref="Loggers"/> serves start-up only: it is disposed once the host runs.</summary>
/// <param name="Backbone">The manifest of <c>Model.Manifest</c>; null when it could not be read (already reported).</param>
internal sealed record HeadContext(StreamAnalyticsOptions Options, ModelManifest? Backbone, ILoggerFactory Loggers);
