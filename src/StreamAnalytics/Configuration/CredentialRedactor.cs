using System.Text.RegularExpressions;

namespace StreamAnalytics.Configuration;

/// <summary>
/// Removes user information from URLs before they reach a log line, a status payload or an error.
/// Camera URLs routinely carry <c>user:password@</c>; ffmpeg echoes them back in its errors.
/// </summary>
internal static partial class CredentialRedactor
{
    public const string Mask = "***";

    // Greedy up to the last '@' before the path: ffmpeg accepts an unescaped '@' inside a password.
    [GeneratedRegex(@"(?<scheme>[a-zA-Z][a-zA-Z0-9+.\-]*://)(?<userinfo>[^/\s]+)@", RegexOptions.CultureInvariant)]
    private static partial Regex UserInfoInUrl();

    [GeneratedRegex(@"(?<key>(?:password|passwd|pwd|token|secret)=)(?<value>[^&\s]+)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex SecretQueryParameter();

    /// <summary>Redacts every URL user-info section and secret-looking query parameter in free text.</summary>
    public static string Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? string.Empty;
        }

        var withoutUserInfo = UserInfoInUrl().Replace(text, m => m.Groups["scheme"].Value + Mask + "@");
        return SecretQueryParameter().Replace(withoutUserInfo, m => m.Groups["key"].Value + Mask);
    }
}
