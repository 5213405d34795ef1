using StreamAnalytics.Configuration;
using StreamAnalytics.Configuration.Validation;

namespace StreamAnalytics.Tests.Configuration.Validation;

public sealed class MqttValidatorTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mqtt-validator-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static List<string> Validate(StreamAnalyticsOptions options)
    {
        var errors = new List<string>();
        new MqttValidator().Validate(options, errors);
        return errors;
    }

    [Fact]
    public void The_defaults_are_valid()
    {
        Assert.Empty(Validate(new StreamAnalyticsOptions()));
    }

    [Fact]
    public void Every_broker_outbox_and_tls_mistake_is_reported_at_once()
    {
        var missing = Path.Combine(_folder, "missing.pem");
        var notPem = Path.Combine(_folder, "ca.txt");
        File.WriteAllText(notPem, "not a certificate");
        var options = new StreamAnalyticsOptions();
        var mqtt = options.Mqtt;
        mqtt.Host = " ";
        mqtt.Port = 0;
        mqtt.TopicPrefix = "site/";
        mqtt.ClientId = "";
        mqtt.Password = "pw";
        mqtt.PasswordFile = missing;
        mqtt.Outbox = new() { Directory = "", MaxEvents = 0, Flush = "sometimes" };
        mqtt.Tls = new() { Enabled = false, CaFile = notPem, ClientKeyFile = missing };
        mqtt.KeepAliveSeconds = 0;

        string[] expected =
        [
            "Mqtt.Host is required.",
            "Mqtt.Port must be between 1 and 65535 (got 0).",
            "Mqtt.TopicPrefix must be non-empty, without '+', '#' or a trailing '/' (got 'site/').",
            "Mqtt.ClientId is required.",
            "Mqtt: set Password or PasswordFile, not both.",
            $"Mqtt.PasswordFile '{missing}' does not exist.",
            "Mqtt.Outbox.Directory is required (events wait there for the broker).",
            "Mqtt.Outbox.MaxEvents must be at least 1 (got 0).",
            "Mqtt.Outbox.Flush must be 'always' or 'none' (got 'sometimes').",
            $"Mqtt.Tls.CaFile '{notPem}' holds no PEM certificate.",
            $"Mqtt.Tls.ClientKeyFile '{missing}' does not exist.",
            "Mqtt.Tls.ClientKeyFile needs Mqtt.Tls.ClientCertificateFile.",
            "Mqtt.Tls: CaFile or ClientCertificateFile is set but Tls.Enabled is false.",
            "Mqtt: QueueCapacity and KeepAliveSeconds must be at least 1, and 0 < ReconnectInitialDelaySeconds <= ReconnectMaxDelaySeconds.",
        ];
        Assert.Equal(expected, Validate(options));
    }
}
