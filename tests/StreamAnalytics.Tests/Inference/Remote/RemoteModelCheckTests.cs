using StreamAnalytics.Configuration;
using StreamAnalytics.Configuration.Validation;
using StreamAnalytics.Inference;
using StreamAnalytics.Inference.KServe;
using StreamAnalytics.Inference.Remote;
using StreamAnalytics.Tests.Fakes;

namespace StreamAnalytics.Tests.Inference.Remote;

/// <summary>The <c>Model.Remote</c> settings and the endpoint metadata check, without a server.</summary>
public sealed class RemoteModelCheckTests
{
    private const string Where = "Model.Remote: model 'resnet18' at http://triton:8001";

    [Fact]
    public void Model_Remote_reports_every_problem_at_once()
    {
        var options = new StreamAnalyticsOptions();
        options.Model.Remote = new()
        {
            Endpoint = "grpc://triton:8001",
            TimeoutSeconds = 0,
            Retries = 11,
            RetryInitialDelayMilliseconds = 500,
            RetryMaxDelayMilliseconds = 100,
        };
        var errors = new List<string>();

        new ModelValidator().Validate(options, errors);

        string[] expected =
        [
            "Model.Remote.Endpoint must be an http:// or https:// URL of a KServe v2 gRPC endpoint, such as http://triton:8001 (got 'grpc://triton:8001').",
            "Model.Remote.ModelName is required with Model.Remote.Endpoint (the model's name on the server; for Triton, its folder in the model repository).",
            "Model.Remote.TimeoutSeconds must be above 0 and at most 600 (got 0).",
            "Model.Remote.Retries must be between 0 and 10 (got 11).",
            "Model.Remote.RetryMaxDelayMilliseconds must be at least RetryInitialDelayMilliseconds (500) and at most 600000 (got 100).",
        ];
        Assert.Equal(expected, errors);
    }

    [Fact]
    public void Model_Remote_is_off_without_an_endpoint_and_valid_with_its_defaults()
    {
        var options = new StreamAnalyticsOptions();
        var errors = new List<string>();
        new ModelValidator().Validate(options, errors);
        Assert.False(options.Model.Remote.Enabled);

        options.Model.Remote = new() { Endpoint = "http://triton:8001", ModelName = "resnet18" };
        new ModelValidator().Validate(options, errors);

        Assert.True(options.Model.Remote.Enabled);
        Assert.Empty(errors);
    }

    [Fact]
    public void Matching_metadata_gives_no_problem()
    {
        var model = new ManifestOnly(ModelManifestLoader.Load(ResNet18.ManifestPath));

        Assert.Empty(KServeMetadataCheck.Problems(Metadata(model.Manifest), model, Where));
    }

    [Fact]
    public void Every_mismatch_names_the_endpoint_the_manifest_and_both_shapes()
    {
        var model = new ManifestOnly(ModelManifestLoader.Load(ResNet18.ManifestPath));
        var metadata = Metadata(model.Manifest);
        metadata.Inputs[0].Shape[2] = 112;
        metadata.Inputs[0].Datatype = "FP16";
        metadata.Outputs[0].Shape[1] = 1000;
        metadata.Outputs.Add(new ModelMetadataResponse.Types.TensorMetadata { Name = "prob", Datatype = "FP32" });
        metadata.Outputs[0].Name = "logits";

        var problems = KServeMetadataCheck.Problems(metadata, model, Where);

        string[] expected =
        [
            $"{Where}: input 'Input247' is FP16 but this pipeline sends FP32.",
            $"{Where}: input 'Input247' is [-1,3,112,224] but manifest '{model.Manifest.ManifestPath}' declares [N,3,224,224].",
            $"{Where} has no output 'Pooling395_Output_0' as manifest '{model.Manifest.ManifestPath}' declares; its outputs: 'logits' FP32 [-1,1000,1,1], 'prob' FP32 [].",
        ];
        Assert.Equal(expected, problems);
    }

    [Fact]
    public void An_output_of_another_size_is_a_mismatch()
    {
        var model = new ManifestOnly(ModelManifestLoader.Load(ResNet18.ManifestPath));
        var metadata = Metadata(model.Manifest);
        metadata.Outputs[0].Shape[1] = 1000;

        var problem = Assert.Single(KServeMetadataCheck.Problems(metadata, model, Where));

        Assert.Equal($"{Where}: output 'Pooling395_Output_0' is [-1,1000,1,1], 1000 values per item, but the local model gives 512.", problem);
    }

    /// <summary>What Triton reports for the shipped ResNet-18 with max_batch_size 8.</summary>
    private static ModelMetadataResponse Metadata(ModelManifest manifest)
    {
        var metadata = new ModelMetadataResponse { Name = "resnet18", Platform = "onnxruntime_onnx" };
        var input = new ModelMetadataResponse.Types.TensorMetadata { Name = manifest.Input.Name, Datatype = "FP32" };
        input.Shape.Add([-1, 3, 224, 224]);
        metadata.Inputs.Add(input);
        var output = new ModelMetadataResponse.Types.TensorMetadata { Name = manifest.Outputs[0].Name, Datatype = "FP32" };
        output.Shape.Add([-1, ResNet18.EmbeddingLength, 1, 1]);
        metadata.Outputs.Add(output);
        return metadata;
    }

    /// <summary>The manifest's contract without an ONNX session: what the metadata check reads.</summary>
    private sealed class ManifestOnly(ModelManifest manifest) : IInferenceModel
    {
        public ModelManifest Manifest => manifest;

        public string ExecutionProvider => "none";

        public int MaxBatch => 8;

        public IReadOnlyList<int> OutputItemSizes => [ResNet18.EmbeddingLength];

        public Span<float> InputItem(int index) => throw new NotSupportedException();

        public ReadOnlySpan<float> OutputItem(int output, int index) => throw new NotSupportedException();

        public ValueTask<TimeSpan> RunAsync(int count, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
