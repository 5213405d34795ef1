namespace StreamAnalytics.Configuration;

/// <summary>
/// The one HTTP port: metrics, health probes, the camera and incident API and the status page. Bound to loopback
/// it needs no token; bound anywhere else every <c>/api</c> call and the page need the bearer token.
/// </summary>
internal sealed class HttpOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>An IP address, <c>localhost</c>, or <c>0.0.0.0</c> / <c>::</c> for every interface.</summary>
    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 9464;

    /// <summary>The environment variable that holds the API token (read at start; never logged).</summary>
    public string TokenEnvironmentVariable { get; set; } = "STREAMANALYTICS_API_TOKEN";

    /// <summary>A file whose content (trimmed) is the API token; used when the environment variable is unset.</summary>
    public string? TokenFile { get; set; }

    /// <summary>Off loopback: also require the token for /healthz, /readyz and /metrics (probes and scrapers then need it).</summary>
    public bool ProtectProbes { get; set; }

    /// <summary>/readyz fails while the broker is away and more events than this wait in the outbox.</summary>
    public int ReadyMaxOutboxEvents { get; set; } = 1000;

    /// <summary>How many recent incidents /api/v1/incidents keeps (oldest forgotten first).</summary>
    public int IncidentHistory { get; set; } = 500;
}
