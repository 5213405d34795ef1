namespace StreamAnalytics.Configuration;

internal sealed class MqttOptions
{
    /// <summary>Run an in-process broker (MQTTnet.Server) on <see cref="Host"/>:<see cref="Port"/> so a first run needs nothing else.</summary>
    public bool EmbeddedBroker { get; set; } = true;

    public string Host { get; set; } = "127.0.0.1";

    public int Port { get; set; } = 1883;

    public string? Username { get; set; }

    /// <summary>Never logged. Prefer the environment (<c>StreamAnalytics__Mqtt__Password</c>) or <see cref="PasswordFile"/>.</summary>
    public string? Password { get; set; }

    public string? PasswordFile { get; set; }

    public string ClientId { get; set; } = "streamanalytics";

    /// <summary>Prefix of every topic: <c>&lt;prefix&gt;/&lt;camera&gt;/events</c>, <c>&lt;prefix&gt;/status</c>.</summary>
    public string TopicPrefix { get; set; } = "streamanalytics";

    public double KeepAliveSeconds { get; set; } = 15;

    public double ReconnectInitialDelaySeconds { get; set; } = 1;

    public double ReconnectMaxDelaySeconds { get; set; } = 30;

    /// <summary>Events handed from detection to the outbox writer; detection waits (never drops) when it is full.</summary>
    public int QueueCapacity { get; set; } = 1024;

    public OutboxOptions Outbox { get; set; } = new();

    public MqttTlsOptions Tls { get; set; } = new();
}
