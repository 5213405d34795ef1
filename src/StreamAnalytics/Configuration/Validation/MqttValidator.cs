using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace StreamAnalytics.Configuration.Validation;

/// <summary>
/// The Mqtt section: the broker connection, its credentials and TLS files, and the outbox that holds events while
/// the broker is away. Files named here are checked now, since a missing certificate would otherwise surface only
/// as a failed connection after start.
/// </summary>
internal sealed class MqttValidator : IOptionsSectionValidator
{
    public void Validate(StreamAnalyticsOptions options, ICollection<string> errors)
    {
        var mqtt = options.Mqtt;
        if (string.IsNullOrWhiteSpace(mqtt.Host))
        {
            errors.Add("Mqtt.Host is required.");
        }

        if (mqtt.Port is < 1 or > 65535)
        {
            errors.Add($"Mqtt.Port must be between 1 and 65535 (got {mqtt.Port}).");
        }

        if (string.IsNullOrWhiteSpace(mqtt.TopicPrefix) || mqtt.TopicPrefix.IndexOfAny(['+', '#']) >= 0 || mqtt.TopicPrefix.EndsWith('/'))
        {
            errors.Add($"Mqtt.TopicPrefix must be non-empty, without '+', '#' or a trailing '/' (got '{mqtt.TopicPrefix}').");
        }

        if (string.IsNullOrWhiteSpace(mqtt.ClientId))
        {
            errors.Add("Mqtt.ClientId is required.");
        }

        if (mqtt.Password is not null && mqtt.PasswordFile is not null)
        {
            errors.Add("Mqtt: set Password or PasswordFile, not both.");
        }

        if (mqtt.PasswordFile is not null && !File.Exists(mqtt.PasswordFile))
        {
            errors.Add($"Mqtt.PasswordFile '{mqtt.PasswordFile}' does not exist.");
        }

        ValidateOutbox(mqtt.Outbox, errors);
        ValidateTls(mqtt.Tls, errors);
        if (mqtt.QueueCapacity < 1 || mqtt.KeepAliveSeconds < 1 || mqtt.ReconnectInitialDelaySeconds <= 0 || mqtt.ReconnectMaxDelaySeconds < mqtt.ReconnectInitialDelaySeconds)
        {
            errors.Add("Mqtt: QueueCapacity and KeepAliveSeconds must be at least 1, and 0 < ReconnectInitialDelaySeconds <= ReconnectMaxDelaySeconds.");
        }
    }

    private static void ValidateOutbox(OutboxOptions outbox, ICollection<string> errors)
    {
        if (string.IsNullOrWhiteSpace(outbox.Directory))
        {
            errors.Add("Mqtt.Outbox.Directory is required (events wait there for the broker).");
        }

        if (outbox.MaxEvents < 1)
        {
            errors.Add($"Mqtt.Outbox.MaxEvents must be at least 1 (got {outbox.MaxEvents}).");
        }

        if (outbox.Flush is not ("always" or "none"))
        {
            errors.Add($"Mqtt.Outbox.Flush must be 'always' or 'none' (got '{outbox.Flush}').");
        }
    }

    private static void ValidateTls(MqttTlsOptions tls, ICollection<string> errors)
    {
        foreach (var (name, file) in new[] { ("CaFile", tls.CaFile), ("ClientCertificateFile", tls.ClientCertificateFile), ("ClientKeyFile", tls.ClientKeyFile) })
        {
            if (file is not null && !File.Exists(file))
            {
                errors.Add($"Mqtt.Tls.{name} '{file}' does not exist.");
            }
            else if (name == "CaFile" && file is not null && !IsPemCertificate(file))
            {
                errors.Add($"Mqtt.Tls.CaFile '{file}' holds no PEM certificate.");
            }
        }

        if (tls.ClientKeyFile is not null && tls.ClientCertificateFile is null)
        {
            errors.Add("Mqtt.Tls.ClientKeyFile needs Mqtt.Tls.ClientCertificateFile.");
        }

        if (!tls.Enabled && (tls.CaFile ?? tls.ClientCertificateFile) is not null)
        {
            errors.Add("Mqtt.Tls: CaFile or ClientCertificateFile is set but Tls.Enabled is false.");
        }
    }

    private static bool IsPemCertificate(string file)
    {
        try
        {
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPemFile(file);
            return certificates.Count > 0;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }
}
