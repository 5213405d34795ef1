using System.Diagnostics;
using System.Globalization;

namespace StreamAnalytics.LoadHarness;

/// <summary>
/// The integration tests' loopback RTSP server (rtsp_server.py: gst-rtsp-server, one pipeline per client,
/// H.264 passed through without re-encoding, looping forever), one mount per camera.
/// </summary>
internal sealed class RtspServer : IAsyncDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly Process _process;

    private RtspServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int ProcessId => _process.Id;

    public string UrlFor(string mount) => $"rtsp://127.0.0.1:{Port}/{mount}";

    /// <param name="fixedPort">Listen on this port (a restart after a fault) instead of a free one; retried while the port is still taken.</param>
    public static async Task<RtspServer> StartAsync(IReadOnlyDictionary<string, string> mounts, CancellationToken cancellationToken, int? fixedPort = null)
    {
        var script = Path.Combine(AppContext.BaseDirectory, "rtsp_server.py");
        for (var attempt = 1; ; attempt++)
        {
            var port = fixedPort ?? Tools.FreeTcpPort();
            var args = new List<string> { "-u", script, "--port", port.ToString(CultureInfo.InvariantCulture) };
            foreach (var (name, file) in mounts)
            {
                args.AddRange(["--mount", $"/{name}={file}"]);
            }

            var info = Tools.StartInfo(Python, args);
            info.Environment.Remove("PYTHONHOME");
            info.Environment.Remove("PYTHONPATH");
            var process = Process.Start(info) ?? throw new InvalidOperationException($"{Python} did not start.");
            var stderr = new System.Text.StringBuilder();
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (stderr)
                    {
                        stderr.AppendLine(e.Data);
                    }
                }
            };
            process.BeginErrorReadLine();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(20));
            try
            {
                while (await process.StandardOutput.ReadLineAsync(timeout.Token).ConfigureAwait(false) is { } line)
                {
                    if (line.Trim() == "READY")
                    {
                        // Keep draining stdout so the server never blocks on a full pipe.
                        _ = process.StandardOutput.BaseStream.CopyToAsync(Stream.Null, CancellationToken.None);
                        return new RtspServer(process, port);
                    }
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            Tools.KillQuietly(process);
            await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            string text;
            lock (stderr)
            {
                text = stderr.ToString();
            }

            process.StandardOutput.Dispose();
            process.Dispose();
            if (attempt >= (fixedPort is null ? 3 : 10) || !text.Contains("cannot listen", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"The RTSP test server did not print READY. stderr:\n{text}");
            }

            if (fixedPort is not null)
            {
                await Task.Delay(1000, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        Tools.KillQuietly(_process);
        await _process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
        // Process.Dispose leaves a redirected stream open once it has been read synchronously (StandardOutput here):
        // close it, or its pipe stays open until a GC finalizes it.
        _process.StandardOutput.Dispose();
        _process.Dispose();
    }
}
