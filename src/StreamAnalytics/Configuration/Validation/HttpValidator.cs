using System.Net;

namespace StreamAnalytics.Configuration.Validation;

/// <summary>The Http section. Whether a token is present off loopback is checked at start by the HTTP stage, which reads it.</summary>
internal sealed class HttpValidator : IOptionsSectionValidator
{
    public void Validate(StreamAnalyticsOptions options, ICollection<string> errors)
    {
        var http = options.Http;
        if (!http.Enabled)
        {
            return;
        }

        if (http.Port is < 1 or > 65535)
        {
            errors.Add($"Http.Port must be between 1 and 65535 (got {http.Port}).");
        }

        if (string.IsNullOrWhiteSpace(http.Host))
        {
            errors.Add("Http.Host is required (127.0.0.1 for this machine only, 0.0.0.0 for every interface).");
        }
        else if (http.Host != "localhost" && !IPAddress.TryParse(http.Host, out _))
        {
            errors.Add($"Http.Host must be an IP address or 'localhost' (got '{http.Host}').");
        }

        if (string.IsNullOrWhiteSpace(http.TokenEnvironmentVariable))
        {
            errors.Add("Http.TokenEnvironmentVariable must name an environment variable.");
        }

        if (http.ReadyMaxOutboxEvents < 1)
        {
            errors.Add($"Http.ReadyMaxOutboxEvents must be at least 1 (got {http.ReadyMaxOutboxEvents}).");
        }

        if (http.IncidentHistory is < 1 or > 100_000)
        {
            errors.Add($"Http.IncidentHistory must be between 1 and 100000 (got {http.IncidentHistory}).");
        }
    }
}
