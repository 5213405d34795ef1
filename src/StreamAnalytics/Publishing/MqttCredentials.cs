using StreamAnalytics.Configuration;

namespace StreamAnalytics.Publishing;

internal static class MqttCredentials
{
    /// <summary>The password from configuration or its file; never logged.</summary>
    public static string? ReadPassword(MqttOptions options) =>
        options.PasswordFile is { } file ? File.ReadAllText(file).TrimEnd('\r', '\n') : options.Password;
}
