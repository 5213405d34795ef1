using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet.Server;
using StreamAnalytics.Configuration;

namespace StreamAnalytics.Publishing;

/// <summary>An in-process MQTT broker (MQTTnet.Server) so that a first run needs no other service.</summary>
internal sealed partial class EmbeddedBroker(MqttOptions options, ILogger<EmbeddedBroker> logger) : IHostedService, IAsyncDisposable
{
    private MqttServer? _server;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var address = IPAddress.TryParse(options.Host, out var parsed) ? parsed : IPAddress.Loopback;
        var factory = new MqttServerFactory();
        // Only the configured address: left alone, MQTTnet also listens on every IPv6 address of the machine, so a
        // broker meant for loopback was reachable from the network over IPv6.
        var v6 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var serverOptions = factory.CreateServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(v6 ? IPAddress.None : address)
            .WithDefaultEndpointBoundIPV6Address(v6 ? address : IPAddress.None)
            .WithDefaultEndpointPort(options.Port)
            .Build();
        _server = factory.CreateMqttServer(serverOptions);
        var password = options.Username is null ? null : MqttCredentials.ReadPassword(options);
        _server.ValidatingConnectionAsync += args =>
        {
            if (!ClientIdAssignment.TryAssign(args))
            {
                LogClientIdNotAssigned(args.RemoteEndPoint?.ToString() ?? "?");
            }

            if (options.Username is not null && (args.UserName != options.Username || args.Password != password))
            {
                args.ReasonCode = MQTTnet.Protocol.MqttConnectReasonCode.BadUserNameOrPassword;
            }

            return Task.CompletedTask;
        };

        await _server.StartAsync().ConfigureAwait(false);
        LogStarted(address.ToString(), options.Port);
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_server is { } server)
        {
            await server.StopAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
        _server?.Dispose();
        _server = null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedded MQTT broker: a client at {Endpoint} connected with an empty client id and none could be assigned; it is refused (give it a client id)")]
    private partial void LogClientIdNotAssigned(string endpoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT broker listening on {Address}:{Port}")]
    private partial void LogStarted(string address, int port);
}
