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
        var serverOptions = factory.CreateServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(address)
            .WithDefaultEndpointPort(options.Port)
            .Build();
        _server = factory.CreateMqttServer(serverOptions);
        if (options.Username is not null)
        {
            var password = MqttCredentials.ReadPassword(options);
            _server.ValidatingConnectionAsync += args =>
            {
                if (args.UserName != options.Username || args.Password != password)
                {
                    args.ReasonCode = MQTTnet.Protocol.MqttConnectReasonCode.BadUserNameOrPassword;
                }

                return Task.CompletedTask;
            };
        }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT broker listening on {Address}:{Port}")]
    private partial void LogStarted(string address, int port);
}
