using StreamAnalytics.Configuration;
using StreamAnalytics.Configuration.Validation;

namespace StreamAnalytics.Tests.Configuration.Validation;

public sealed class SmallSectionValidatorTests
{
    private static List<string> Validate(IOptionsSectionValidator validator, StreamAnalyticsOptions options)
    {
        var errors = new List<string>();
        validator.Validate(options, errors);
        return errors;
    }

    [Fact]
    public void Window_reports_each_of_its_settings()
    {
        var options = new StreamAnalyticsOptions { Window = new() { Length = 300, Subsample = -1, Hop = 0 } };

        string[] expected =
        [
            "Window.Length must be between 1 and 256 (got 300).",
            "Window.Subsample must be between 0 and 1000 (got -1).",
            "Window.Hop must be at least 1 and at most 16 × Length (got 0).",
        ];
        Assert.Equal(expected, Validate(new WindowValidator(), options));
    }

    [Fact]
    public void Model_reports_each_of_its_settings()
    {
        var options = new StreamAnalyticsOptions
        {
            Model = new() { Manifest = "", ExecutionProvider = "tpu", MaxBatch = 0, MaxBatchWaitMilliseconds = -1, QueueCapacity = 0, DeviceId = -1 },
        };

        string[] expected =
        [
            "Model.Manifest is required.",
            "Model.ExecutionProvider must be 'cpu', 'cuda' or 'tensorrt' (got 'tpu').",
            "Model.MaxBatch must be between 1 and 256 (got 0).",
            "Model.MaxBatchWaitMilliseconds must be between 0 and 10000 (got -1).",
            "Model.QueueCapacity must be between 1 and 4096 (got 0).",
            "Model.IntraOpThreads and Model.DeviceId must not be negative.",
        ];
        Assert.Equal(expected, Validate(new ModelValidator(), options));
    }

    [Fact]
    public void Metrics_path_matters_only_when_enabled_and_needs_the_http_port()
    {
        var options = new StreamAnalyticsOptions { Metrics = new() { Enabled = false, Path = "metrics" }, Http = new() { Enabled = false } };
        Assert.Empty(Validate(new MetricsValidator(), options));

        options.Metrics.Enabled = true;
        Assert.Equal(
            ["Metrics are served on the HTTP port: set Http.Enabled to true, or Metrics.Enabled to false.", "Metrics.Path must start with '/', name a path of its own and not be under /api (got 'metrics')."],
            Validate(new MetricsValidator(), options));

        options.Http.Enabled = true;
        options.Metrics.Path = "/api/metrics";
        Assert.Single(Validate(new MetricsValidator(), options));
        options.Metrics.Path = "/metrics";
        Assert.Empty(Validate(new MetricsValidator(), options));
    }

    [Fact]
    public void Http_endpoint_settings_matter_only_when_enabled()
    {
        var options = new StreamAnalyticsOptions { Http = new() { Enabled = false, Port = 0, Host = "", IncidentHistory = 0, ReadyMaxOutboxEvents = 0 } };
        Assert.Empty(Validate(new HttpValidator(), options));

        options.Http.Enabled = true;
        Assert.Equal(
            [
                "Http.Port must be between 1 and 65535 (got 0).",
                "Http.Host is required (127.0.0.1 for this machine only, 0.0.0.0 for every interface).",
                "Http.ReadyMaxOutboxEvents must be at least 1 (got 0).",
                "Http.IncidentHistory must be between 1 and 100000 (got 0).",
            ],
            Validate(new HttpValidator(), options));

        options.Http = new() { Host = "camera-host.example" };
        Assert.Equal(["Http.Host must be an IP address or 'localhost' (got 'camera-host.example')."], Validate(new HttpValidator(), options));
    }

    [Fact]
    public void Pipeline_decode_size_is_auto_source_or_model()
    {
        Assert.Equal(
            ["Pipeline.DecodeSize must be 'auto', 'source' or 'model' (got 'half')."],
            Validate(new PipelineValidator(), new StreamAnalyticsOptions { Pipeline = new() { DecodeSize = "half" } }));
        Assert.Empty(Validate(new PipelineValidator(), new StreamAnalyticsOptions { Pipeline = new() { DecodeSize = "model" } }));
        Assert.Empty(Validate(new PipelineValidator(), new StreamAnalyticsOptions()));
    }

    [Fact]
    public void Model_precision_is_auto_or_fp32()
    {
        Assert.Equal(
            ["Model.Precision must be 'auto' (the manifest's INT8 variant on CPU, FP16 on a GPU) or 'fp32' (got 'int4')."],
            Validate(new ModelValidator(), new StreamAnalyticsOptions { Model = new() { Precision = "int4" } }));
        Assert.Empty(Validate(new ModelValidator(), new StreamAnalyticsOptions { Model = new() { Precision = "fp32" } }));
        Assert.Empty(Validate(new ModelValidator(), new StreamAnalyticsOptions()));
    }

    [Fact]
    public void Pipeline_needs_a_state_directory()
    {
        var options = new StreamAnalyticsOptions { Pipeline = new() { StateDirectory = " " } };

        Assert.Equal(["Pipeline.StateDirectory is required (a folder the service may write, e.g. 'state')."], Validate(new PipelineValidator(), options));
    }

    [Fact]
    public void Pipeline_reports_its_drain_timeout()
    {
        var options = new StreamAnalyticsOptions { Pipeline = new() { DrainTimeoutSeconds = 601 } };

        Assert.Equal(["Pipeline.DrainTimeoutSeconds must be between 0 and 600 (got 601)."], Validate(new PipelineValidator(), options));
    }
}
