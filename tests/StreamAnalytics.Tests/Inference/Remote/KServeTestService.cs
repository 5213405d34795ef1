using System.Runtime.InteropServices;
using Google.Protobuf;
using Grpc.Core;
using StreamAnalytics.Inference.KServe;
using StreamAnalytics.Tests.Fakes;

namespace StreamAnalytics.Tests.Inference.Remote;

/// <summary>The KServe v2 gRPC service of the test server, over <see cref="KServeTestBackend"/>; raw FP32 tensors, as Triton answers.</summary>
internal sealed class KServeTestService(KServeTestBackend backend) : GRPCInferenceService.GRPCInferenceServiceBase
{
    public override Task<ServerLiveResponse> ServerLive(ServerLiveRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerLiveResponse { Live = true });

    public override Task<ServerReadyResponse> ServerReady(ServerReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ServerReadyResponse { Ready = true });

    public override Task<ModelReadyResponse> ModelReady(ModelReadyRequest request, ServerCallContext context) =>
        Task.FromResult(new ModelReadyResponse { Ready = request.Name == KServeTestBackend.ModelName });

    public override Task<ModelMetadataResponse> ModelMetadata(ModelMetadataRequest request, ServerCallContext context)
    {
        RequireModel(request.Name);
        var metadata = new ModelMetadataResponse { Name = KServeTestBackend.ModelName, Platform = "onnxruntime_onnx" };
        metadata.Versions.Add("1");
        var input = new ModelMetadataResponse.Types.TensorMetadata { Name = backend.ReportedInputName, Datatype = "FP32" };
        input.Shape.Add([backend.ReportedBatch, .. backend.Manifest.Input.ItemShape.Select(d => (long)d)]);
        metadata.Inputs.Add(input);
        var output = new ModelMetadataResponse.Types.TensorMetadata { Name = backend.Manifest.Outputs[0].Name, Datatype = "FP32" };
        output.Shape.Add([-1, ResNet18.EmbeddingLength, 1, 1]);
        metadata.Outputs.Add(output);
        return Task.FromResult(metadata);
    }

    public override Task<ModelInferResponse> ModelInfer(ModelInferRequest request, ServerCallContext context)
    {
        backend.CountInferCall();
        RequireModel(request.ModelName);
        if (backend.FailInfer)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "the test server was told to fail"));
        }

        var input = request.Inputs.Single(i => i.Name == backend.Manifest.Input.Name);
        var count = (int)input.Shape[0];
        var values = MemoryMarshal.Cast<byte, float>(request.RawInputContents[0].Span);
        if (values.Length != count * backend.ItemElements)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{values.Length} input values for {count} items"));
        }

        var embeddings = backend.Run(values, count);
        var response = new ModelInferResponse { ModelName = KServeTestBackend.ModelName, ModelVersion = "1", Id = request.Id };
        foreach (var requested in request.Outputs)
        {
            if (requested.Name != backend.Manifest.Outputs[0].Name)
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument, $"unknown output '{requested.Name}'"));
            }

            var output = new ModelInferResponse.Types.InferOutputTensor { Name = requested.Name, Datatype = "FP32" };
            output.Shape.Add([count, ResNet18.EmbeddingLength, 1, 1]);
            response.Outputs.Add(output);
            response.RawOutputContents.Add(ByteString.CopyFrom(MemoryMarshal.AsBytes(embeddings.AsSpan())));
        }

        return Task.FromResult(response);
    }

    private static void RequireModel(string name)
    {
        if (name != KServeTestBackend.ModelName)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"Request for unknown model: '{name}' is not found"));
        }
    }
}
