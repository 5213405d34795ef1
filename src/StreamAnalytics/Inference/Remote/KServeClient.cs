using System.Globalization;
using Grpc.Core;
using Grpc.Net.Client;
using StreamAnalytics.Configuration;
using StreamAnalytics.Inference.KServe;

namespace StreamAnalytics.Inference.Remote;

/// <summary>
/// The gRPC channel to one KServe v2 endpoint (Triton, KServe, any server of the Open Inference Protocol) and the
/// two calls this project makes. Each call is bounded by <see cref="RemoteModelOptions.TimeoutSeconds"/> on the
/// injected clock, and its failure is reported as a short reason an operator can act on.
/// </summary>
internal sealed class KServeClient : IDisposable
{
    private readonly GrpcChannel _channel;
    private readonly GRPCInferenceService.GRPCInferenceServiceClient _client;
    private readonly TimeProvider _time;
    private readonly TimeSpan _timeout;

    /// <param name="handler">The HTTP handler under the channel; null: one made here (tests pass their own).</param>
    public KServeClient(RemoteModelOptions options, TimeProvider time, HttpMessageHandler? handler = null)
    {
        _time = time;
        _timeout = TimeSpan.FromSeconds(options.TimeoutSeconds);
        ModelName = options.ModelName ?? string.Empty;
        ModelVersion = options.ModelVersion ?? string.Empty;
        var version = string.IsNullOrEmpty(ModelVersion) ? string.Empty : $" version {ModelVersion}";
        Where = $"Model.Remote: model '{ModelName}'{version} at {CredentialRedactor.Redact(options.Endpoint)}";
        _channel = GrpcChannel.ForAddress(options.Endpoint!, new GrpcChannelOptions
        {
            // Not a SocketsHttpHandler: with one, gRPC manages the connection itself and, after a refused connect,
            // fails every call at once until its own reconnect backoff (up to 2 minutes) has passed, so a Triton that
            // came back would not be used by the next batch. This handler connects again on the next call.
            HttpHandler = handler ?? new HttpClientHandler(),
            // Outputs of a batch of clips or feature maps outgrow gRPC's 4 MB default.
            MaxReceiveMessageSize = 256 * 1024 * 1024,
            DisposeHttpClient = true,
        });
        _client = new GRPCInferenceService.GRPCInferenceServiceClient(_channel);
    }

    /// <summary>Names the endpoint and the model in every message: <c>Model.Remote: model 'm' at http://host:8001</c>.</summary>
    public string Where { get; }

    public string ModelName { get; }

    /// <summary>Empty: the server's choice.</summary>
    public string ModelVersion { get; }

    public Task<ModelMetadataResponse> MetadataAsync(CancellationToken cancellationToken) =>
        CallAsync(options => _client.ModelMetadataAsync(new ModelMetadataRequest { Name = ModelName, Version = ModelVersion }, options), cancellationToken);

    public Task<ModelInferResponse> InferAsync(ModelInferRequest request, CancellationToken cancellationToken) =>
        CallAsync(options => _client.ModelInferAsync(request, options), cancellationToken);

    private async Task<T> CallAsync<T>(Func<CallOptions, AsyncUnaryCall<T>> call, CancellationToken cancellationToken)
    {
        // gRPC's own deadline reads the wall clock; a token on the injected clock lets tests time out without waiting.
        using var deadline = new CancellationTokenSource(_timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            using var pending = call(new CallOptions(cancellationToken: linked.Token));
            return await pending.ResponseAsync.ConfigureAwait(false);
        }
        catch (Exception ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested && ex is RpcException or OperationCanceledException)
        {
            throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"no answer within {_timeout.TotalSeconds:0.###} s"), ex);
        }
        catch (RpcException ex) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException("The call was cancelled.", ex, cancellationToken);
        }
    }

    /// <summary>A failure in a line: the gRPC status and its detail, without the stack traces gRPC puts in its message.</summary>
    public static string Describe(Exception failure) => failure switch
    {
        RpcException { Status.DebugException: { } inner } rpc when !rpc.Status.Detail.Contains(inner.Message, StringComparison.Ordinal) =>
            $"{rpc.StatusCode}: {rpc.Status.Detail} ({inner.Message})",
        RpcException rpc => $"{rpc.StatusCode}: {rpc.Status.Detail}",
        _ => failure.Message,
    };

    public void Dispose() => _channel.Dispose();
}
