namespace StreamAnalytics.Configuration;

/// <summary>The root of the <c>StreamAnalytics</c> configuration section.</summary>
internal sealed class StreamAnalyticsOptions
{
    public const string SectionName = "StreamAnalytics";

    public List<CameraOptions> Cameras { get; set; } = [];

    /// <summary>Window settings for every camera that does not set its own.</summary>
    public WindowOptions Window { get; set; } = new();

    public ModelOptions Model { get; set; } = new();

    public DetectionOptions Detection { get; set; } = new();

    public MqttOptions Mqtt { get; set; } = new();

    public MetricsOptions Metrics { get; set; } = new();

    public HttpOptions Http { get; set; } = new();

    public ShardingOptions Sharding { get; set; } = new();

    public PipelineOptions Pipeline { get; set; } = new();
}
