using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace StreamAnalytics.Tests.Inference.Remote;

/// <summary>
/// A KServe v2 gRPC server on a free loopback port (HTTP/2 without TLS, as Triton's port 8001 serves it), that can
/// be stopped and started again on the same port.
/// </summary>
internal sealed class KServeTestServer(KServeTestBackend backend) : IAsyncDisposable
{
    private WebApplication? _app;

    public int Port { get; } = FreeTcpPort.Next();

    public string Endpoint => $"http://127.0.0.1:{Port}";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await FreeTcpPort.WaitUntilFreeAsync(Port, TimeSpan.FromSeconds(10), cancellationToken);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, Port, l => l.Protocols = HttpProtocols.Http2));
        // A batch of 8 ResNet-18 inputs is 4.8 MB, over gRPC's 4 MB default (Triton takes far more).
        builder.Services.AddGrpc(o => o.MaxReceiveMessageSize = null);
        builder.Services.AddSingleton(backend);
        var app = builder.Build();
        app.MapGrpcService<KServeTestService>();
        await app.StartAsync(cancellationToken);
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();
}
