using System.Net;
using System.Security.Cryptography;
using System.Text;
using StreamAnalytics.Configuration;

namespace StreamAnalytics.Http;

/// <summary>
/// The bearer token the API needs off loopback. Only its SHA-256 is kept, and candidates are compared hash to hash
/// in constant time, so neither the token's length nor how much of it matched leaks through timing.
/// </summary>
internal sealed class ApiToken
{
    private readonly byte[] _hash;

    private ApiToken(string token) => _hash = SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Loopback (127.0.0.0/8, ::1, localhost) needs no token: only this machine can connect.</summary>
    public static bool IsLoopback(string host) =>
        host == "localhost" || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    /// <summary>
    /// The token from the environment variable, else from the file; null when neither gives one. Off loopback a missing
    /// token is a start-up problem: the API would otherwise be open to the network.
    /// </summary>
    public static ApiToken? Resolve(HttpOptions options, ICollection<string> problems)
    {
        var value = Environment.GetEnvironmentVariable(options.TokenEnvironmentVariable);
        if (string.IsNullOrWhiteSpace(value) && options.TokenFile is { Length: > 0 } file)
        {
            var path = ConfiguredPath.Resolve(file);
            try
            {
                value = File.ReadAllText(path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                problems.Add($"Http.TokenFile '{path}' cannot be read: {ex.Message}");
                return null;
            }
        }

        value = value?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            if (options.Enabled && !IsLoopback(options.Host))
            {
                problems.Add($"Http.Host '{options.Host}' is reachable from other machines, so the API needs a token: set the environment variable {options.TokenEnvironmentVariable} or Http.TokenFile (or bind Http.Host to 127.0.0.1).");
            }

            return null;
        }

        if (value.Length < 16)
        {
            problems.Add($"The API token (from {options.TokenEnvironmentVariable} or Http.TokenFile) must be at least 16 characters long.");
            return null;
        }

        return new ApiToken(value);
    }

    public bool Matches(string? candidate)
    {
        if (candidate is null)
        {
            return false;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(candidate), hash);
        return CryptographicOperations.FixedTimeEquals(hash, _hash);
    }

    /// <summary>Never the token itself, wherever this object is logged.</summary>
    public override string ToString() => "ApiToken(redacted)";
}
