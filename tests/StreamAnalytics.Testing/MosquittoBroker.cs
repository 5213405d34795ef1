using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace StreamAnalytics.Testing;

/// <summary>
/// A real mosquitto broker on a free loopback port: anonymous and without persistence unless <see cref="MosquittoSetup"/>
/// says otherwise. <see cref="StopAsync"/> and <see cref="StartAgainAsync"/> take it down and bring it back on the same
/// port (with persistence, SIGTERM saves sessions and queued QoS 1 messages and the restart brings them back).
/// </summary>
public sealed class MosquittoBroker : IAsyncDisposable
{
    public const string MosquittoPath = "/usr/sbin/mosquitto";

    private const int SigTerm = 15;
    private const int MaxCapturedStderrChars = 64 * 1024;
    private const int StartAgainAttempts = 10;

    private static readonly TimeSpan ListenTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PortFreeTimeout = TimeSpan.FromSeconds(10);

    private readonly DirectoryInfo _workDir;
    private readonly string _configPath;
    private readonly object _stderrLock = new();
    private readonly StringBuilder _stderr = new();
    private Process? _process;

    private MosquittoBroker(DirectoryInfo workDir, int port, MosquittoSetup setup)
    {
        _workDir = workDir;
        Port = port;
        _configPath = Path.Combine(workDir.FullName, "mosquitto.conf");
        var config = new StringBuilder();
        config.Append(CultureInfo.InvariantCulture, $"listener {port} {Host}\n");
        // Started as root, mosquitto would switch to its own user, which cannot read this private temp folder.
        config.Append("user root\n");
        if (setup.LogToFile)
        {
            LogPath = Path.Combine(workDir.FullName, "mosquitto.log");
            config.Append(CultureInfo.InvariantCulture, $"log_dest file {LogPath}\n");
            config.Append("log_type error\nlog_type warning\nlog_type notice\nlog_type information\nconnection_messages true\nlog_timestamp_format %H:%M:%S\n");
        }
        else
        {
            config.Append("log_dest stderr\n");
        }

        if (setup.Tls is { } tls)
        {
            config.Append(CultureInfo.InvariantCulture, $"cafile {tls.CaFile}\ncertfile {tls.CertificateFile}\nkeyfile {tls.KeyFile}\n");
        }

        if (setup.Credentials is { } credentials)
        {
            var passwordFile = Path.Combine(workDir.FullName, "passwords");
            using (var passwd = Process.Start(new ProcessStartInfo("/usr/bin/mosquitto_passwd", ["-b", "-c", passwordFile, credentials.User, credentials.Password]) { UseShellExecute = false })!)
            {
                passwd.WaitForExit();
                if (passwd.ExitCode != 0)
                {
                    throw new InvalidOperationException("mosquitto_passwd failed.");
                }
            }

            config.Append(CultureInfo.InvariantCulture, $"allow_anonymous false\npassword_file {passwordFile}\n");
        }
        else
        {
            config.Append("allow_anonymous true\n");
        }

        if (setup.Persistent)
        {
            config.Append(CultureInfo.InvariantCulture, $"persistence true\npersistence_location {workDir.FullName}/\n");
            if (setup.AutosaveSeconds is { } autosave)
            {
                config.Append(CultureInfo.InvariantCulture, $"autosave_interval {autosave}\n");
            }
        }
        else
        {
            config.Append("persistence false\n");
        }

        File.WriteAllText(_configPath, config.ToString());
    }

    public string Host { get; } = "127.0.0.1";

    public int Port { get; }

    /// <summary>The broker's private folder: its configuration, persistence and log; deleted on dispose.</summary>
    public string WorkDirectory => _workDir.FullName;

    /// <summary>The log file with <see cref="MosquittoSetup.LogToFile"/>; null when it logs to stderr.</summary>
    public string? LogPath { get; }

    public bool IsRunning => _process is { HasExited: false };

    public int? ProcessId => _process is { HasExited: false } p ? p.Id : null;

    public string CapturedStandardError
    {
        get
        {
            lock (_stderrLock)
            {
                return _stderr.ToString();
            }
        }
    }

    public static Task<MosquittoBroker> StartAsync(CancellationToken ct) => StartAsync(new MosquittoSetup(), ct);

    public static async Task<MosquittoBroker> StartAsync(MosquittoSetup setup, CancellationToken ct)
    {
        if (!File.Exists(MosquittoPath))
        {
            throw new FileNotFoundException("mosquitto is not installed (apt-get install -y mosquitto).", MosquittoPath);
        }

        var broker = new MosquittoBroker(Directory.CreateTempSubdirectory("mosquitto-test-"), FreeTcpPort.Next(), setup);
        try
        {
            await broker.LaunchAsync(ct).ConfigureAwait(false);
            return broker;
        }
        catch
        {
            await broker.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// SIGTERM (SIGKILL if it lingers) and waits for the process to exit; then closes its pipes, so nothing of it
    /// stays open while it is down.
    /// </summary>
    public async Task StopAsync()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            await TerminateAsync(process).ConfigureAwait(false);
        }

        _process = null;
        process.Dispose();
    }

    /// <summary>
    /// Starts the broker again on the same port (stopping it first if it still runs), once the port can be listened
    /// on again (it may still be held for a moment after the previous instance exited); a start that loses a race
    /// for the port waits for it again.
    /// </summary>
    public async Task StartAgainAsync(CancellationToken ct = default)
    {
        await StopAsync().ConfigureAwait(false);
        await FreeTcpPort.WaitUntilFreeAsync(Port, PortFreeTimeout, ct).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await LaunchAsync(ct).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException && attempt < StartAgainAttempts)
            {
                await FreeTcpPort.WaitUntilFreeAsync(Port, PortFreeTimeout, ct).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            _process?.Dispose();
            _process = null;
            try
            {
                _workDir.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static async Task TerminateAsync(Process process)
    {
        if (SendSignal(process.Id, SigTerm) == 0)
        {
            using var graceful = new CancellationTokenSource(StopTimeout);
            try
            {
                await process.WaitForExitAsync(graceful.Token).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException)
            {
            }
        }

        process.Kill();
        using var forced = new CancellationTokenSource(StopTimeout);
        await process.WaitForExitAsync(forced.Token).ConfigureAwait(false);
    }

    private async Task LaunchAsync(CancellationToken ct)
    {
        lock (_stderrLock)
        {
            _stderr.Clear();
        }

        var startInfo = new ProcessStartInfo(MosquittoPath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(_configPath);

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                AppendStderr(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                AppendStderr(e.Data);
            }
        };

        if (!process.Start())
        {
            process.Dispose();
            throw new InvalidOperationException($"Could not start {MosquittoPath}.");
        }

        _process?.Dispose();
        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await WaitUntilListeningAsync(process, ct).ConfigureAwait(false);
        }
        catch
        {
            await StopAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task WaitUntilListeningAsync(Process process, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (process.HasExited)
            {
                await process.WaitForExitAsync(ct).ConfigureAwait(false);
                throw new InvalidOperationException(
                    $"mosquitto exited with code {process.ExitCode} before listening on {Host}:{Port}{LogHint}. Output:\n{CapturedStandardError}");
            }

            using var client = new TcpClient();
            try
            {
                await client.ConnectAsync(Host, Port, ct).ConfigureAwait(false);
                return;
            }
            catch (SocketException) when (deadline.Elapsed < ListenTimeout)
            {
            }
            catch (SocketException ex)
            {
                throw new TimeoutException(
                    $"mosquitto did not accept connections on {Host}:{Port} within {ListenTimeout.TotalSeconds:0} s{LogHint}. Output:\n{CapturedStandardError}",
                    ex);
            }
        }
    }

    private string LogHint => LogPath is null ? string.Empty : $" (log: {LogPath})";

    private void AppendStderr(string line)
    {
        lock (_stderrLock)
        {
            if (_stderr.Length + line.Length > MaxCapturedStderrChars)
            {
                _stderr.Remove(0, Math.Min(_stderr.Length, line.Length + (MaxCapturedStderrChars / 4)));
            }

            _stderr.AppendLine(line);
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}
