namespace StreamAnalytics.Configuration;

internal sealed class MqttTlsOptions
{
    public bool Enabled { get; set; }

    /// <summary>PEM file of the CA that signed the broker's certificate; unset: the system's trust store.</summary>
    public string? CaFile { get; set; }

    /// <summary>PEM client certificate and key, for brokers that require one.</summary>
    public string? ClientCertificateFile { get; set; }

    public string? ClientKeyFile { get; set; }

    /// <summary>Host name expected in the broker's certificate; unset: <see cref="MqttOptions.Host"/>.</summary>
    public string? ServerName { get; set; }
}
