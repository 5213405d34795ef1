using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;

namespace StreamAnalytics.LoadHarness;

/// <summary>
/// An external mosquitto on a fixed loopback port with persistence in a temp folder, so a SIGTERM saves
/// its sessions and queued QoS 1 messages and a restart on the same port brings them back.
/// </summary>
internal sealed class SoakBroker : IAsyncDisposable
{
    public const string MosquittoPath = "/usr/sbin/mosquitto";

    private readonly string _configPath;
    private Process? _process;

    private SoakBroker(string directory, int port)
    {
        Directory = directory;
        Port = port;
        LogPath = Path.Combine(directory, "mosquitto.log");
        _configPath = Path.Combine(directory, "mosquitto.conf");
        File.WriteAllText(_configPath, string.Create(CultureInfo.InvariantCulture, $"""
            listener {port} 127.0.0.1
            allow_anonymous true
            persistence true
            persistence_location {directory}/
            user root
            log_dest file {LogPath}
            log_type error
            log_type warning
            log_type notice
            log_type information
            connection_messages true
            log_timestamp_format %H:%M:%S

            """));
    }

    public string Directory { get; }

    public int Port { get; }

    public string LogPath { get; }

    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    public bool IsRunning => _process is { HasExited: false };

    public int Starts { get; private set; }

    public static async Task<SoakBroker> StartAsync(string directory, CancellationToken cancellationToken)
    {
        if (!File.Exists(MosquittoPath))
        {
            throw new FileNotFoundException("mosquitto is not installed (apt-get install -y mosquitto).", MosquittoPath);
        }

        var broker = new SoakBroker(directory, Tools.FreeTcpPort());
        await broker.LaunchAsync(cancellationToken).ConfigureAwait(false);
        return broker;
    }

    /// <summary>Starts mosquitto on <see cref="Port"/> and waits until it accepts connections.</summary>
    public async Task LaunchAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            var info = Tools.StartInfo(MosquittoPath, ["-c", _configPath]);
            var process = Process.Start(info) ?? throw new InvalidOperationException($"{MosquittoPath} did not start.");
            _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
            var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
            var clock = Stopwatch.StartNew();
            while (!process.HasExited && clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                using var client = new TcpClient();
                try
                {
                    await client.ConnectAsync("127.0.0.1", Port, cancellationToken).ConfigureAwait(false);
                    _process?.Dispose();
                    _process = process;
                    Starts++;
                    return;
                }
                catch (SocketException)
                {
                    await Task.Delay(100, cancellationToken).ConfigureAwait(false);
                }
            }

            Tools.KillQuietly(process);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            var text = await stderr.ConfigureAwait(false);
            process.StandardOutput.Dispose();
            process.StandardError.Dispose();
            process.Dispose();
            if (attempt >= 10)
            {
                throw new InvalidOperationException($"mosquitto did not listen on 127.0.0.1:{Port}: {text} (see {LogPath})");
            }

            // The port may still be held for a moment after the previous instance exited.
            await Task.Delay(1000, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>SIGTERM (mosquitto saves its persistence file on the way out) and waits; SIGKILL after 10 s.</summary>
    public async Task<TimeSpan> StopAsync()
    {
        var process = _process;
        if (process is null || process.HasExited)
        {
            return TimeSpan.Zero;
        }

        var clock = Stopwatch.StartNew();
        Native.Signal(process.Id, Native.SigTerm);
        using var graceful = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await process.WaitForExitAsync(graceful.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            Tools.KillQuietly(process);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        }

        // Process.Dispose leaves streams that were read synchronously open: close the pipes now, not at the next GC.
        process.StandardOutput.Dispose();
        process.StandardError.Dispose();
        return clock.Elapsed;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _process?.Dispose();
        _process = null;
    }
}
