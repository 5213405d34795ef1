using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;

namespace StreamAnalytics.Testing;

/// <summary>
/// A real RTSP server on loopback (gst-rtsp-server driven by <c>rtsp_server.py</c>) that
/// loops H.264 MP4 files forever. Each mount maps a name such as <c>"cam1"</c> to a file path.
/// The integration tests and the soak harness kill it (<see cref="Kill"/>) and start it again on the
/// same port (<see cref="RestartAsync"/>), like a camera that crashes and comes back.
/// </summary>
public sealed class RtspTestServer : IAsyncDisposable
{
    public const string PythonPath = "/usr/bin/python3";

    private const int SigCont = 18;
    private const int SigStop = 19;
    private const int MaxCapturedStderrChars = 64 * 1024;
    private const int StartAttempts = 3;
    private const int RestartAttempts = 10;
    private const string BindFailureMarker = "cannot listen";

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(20);
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan PortFreeTimeout = TimeSpan.FromSeconds(10);

    private readonly IReadOnlyDictionary<string, string> _mounts;
    private readonly double? _loopSeconds;
    private readonly object _stderrLock = new();
    private readonly StringBuilder _stderr = new();
    private Process? _process;
    private int? _processId;

    private RtspTestServer(IReadOnlyDictionary<string, string> mounts, int port, double? loopSeconds)
    {
        _mounts = mounts;
        Port = port;
        _loopSeconds = loopSeconds;
    }

    public static string ScriptPath => Path.Combine(AppContext.BaseDirectory, "rtsp_server.py");

    public int Port { get; private set; }

    /// <summary>The pid of the latest server process, also after <see cref="Kill"/>.</summary>
    public int ProcessId => _processId ?? throw new InvalidOperationException("The RTSP test server has not been started.");

    public bool IsRunning => _process is { HasExited: false };

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

    private Process CurrentProcess =>
        _process ?? throw new InvalidOperationException("The RTSP test server is not running (not started, or killed).");

    /// <param name="loopSeconds">
    /// How long each file plays, looped, before a client gets end of stream (the script's default, 600 s, when null): a
    /// measurement longer than that would see every camera reconnect at once.
    /// </param>
    public static async Task<RtspTestServer> StartAsync(
        IReadOnlyDictionary<string, string> mounts, CancellationToken ct, double? loopSeconds = null)
    {
        ArgumentNullException.ThrowIfNull(mounts);
        if (mounts.Count == 0)
        {
            throw new ArgumentException("At least one mount is required.", nameof(mounts));
        }

        foreach (var (name, file) in mounts)
        {
            if (string.IsNullOrWhiteSpace(name.Trim('/')))
            {
                throw new ArgumentException($"Mount name '{name}' is empty.", nameof(mounts));
            }

            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"Video for mount '{name}' not found.", file);
            }
        }

        var server = new RtspTestServer(mounts, FreeTcpPort.Next(), loopSeconds);
        try
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await server.LaunchAsync(ct).ConfigureAwait(false);
                    return server;
                }
                catch (InvalidOperationException) when (
                    attempt < StartAttempts
                    && server.CapturedStandardError.Contains(BindFailureMarker, StringComparison.Ordinal))
                {
                    server.Port = FreeTcpPort.Next();
                }
            }
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public string UrlFor(string mount) => $"rtsp://127.0.0.1:{Port}/{mount.TrimStart('/')}";

    /// <summary>
    /// SIGKILL, like a crashed camera; returns once the process is gone, with its pipes closed (a soak that
    /// counts this process's descriptors must not see them linger until the restart).
    /// </summary>
    public void Kill()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill();
            if (!process.WaitForExit(ExitTimeout))
            {
                throw new TimeoutException($"RTSP test server (pid {process.Id}) did not exit after SIGKILL.");
            }
        }

        _process = null;
        process.Dispose();
    }

    /// <summary>SIGSTOP: the TCP connections stay open but nothing more is sent, like a hung camera.</summary>
    public void Suspend() => Signal(SigStop);

    public void Resume() => Signal(SigCont);

    /// <summary>
    /// Kills the current process if it still runs and starts a new one on the same port once the port can be
    /// listened on again (clients of the old process may keep it busy for a moment); a start that still finds it
    /// held waits for it again.
    /// </summary>
    public async Task RestartAsync(CancellationToken ct = default)
    {
        await StopProcessAsync().ConfigureAwait(false);
        await FreeTcpPort.WaitUntilFreeAsync(Port, PortFreeTimeout, ct).ConfigureAwait(false);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await LaunchAsync(ct).ConfigureAwait(false);
                return;
            }
            catch (InvalidOperationException) when (
                attempt < RestartAttempts
                && CapturedStandardError.Contains(BindFailureMarker, StringComparison.Ordinal))
            {
                await FreeTcpPort.WaitUntilFreeAsync(Port, PortFreeTimeout, ct).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopProcessAsync().ConfigureAwait(false);
        }
        finally
        {
            _process?.Dispose();
            _process = null;
        }
    }

    private async Task LaunchAsync(CancellationToken ct)
    {
        var script = ScriptPath;
        if (!File.Exists(script))
        {
            throw new FileNotFoundException(
                "rtsp_server.py was not copied next to the assembly (StreamAnalytics.Testing.csproj copies it to the output folder).",
                script);
        }

        var startInfo = new ProcessStartInfo(PythonPath)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        startInfo.Environment.Remove("PYTHONHOME");
        startInfo.Environment.Remove("PYTHONPATH");
        startInfo.ArgumentList.Add("-u");
        startInfo.ArgumentList.Add(script);
        startInfo.ArgumentList.Add("--port");
        startInfo.ArgumentList.Add(Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (_loopSeconds is { } loop)
        {
            startInfo.ArgumentList.Add("--loop-seconds");
            startInfo.ArgumentList.Add(Math.Ceiling(loop).ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        foreach (var (name, file) in _mounts)
        {
            startInfo.ArgumentList.Add("--mount");
            startInfo.ArgumentList.Add($"/{name.Trim('/')}={Path.GetFullPath(file)}");
        }

        lock (_stderrLock)
        {
            _stderr.Clear();
        }

        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data?.Trim() == "READY")
            {
                ready.TrySetResult();
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
            throw new InvalidOperationException($"Could not start {PythonPath} {script}.");
        }

        _process?.Dispose();
        _process = process;
        _processId = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        _ = process.WaitForExitAsync(CancellationToken.None).ContinueWith(
            _ => ready.TrySetException(new InvalidOperationException(
                $"RTSP test server exited with code {ExitCodeOf(process)} before printing READY. stderr:\n{CapturedStandardError}")),
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(ReadyTimeout);
        try
        {
            await ready.Task.WaitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            await StopProcessAsync().ConfigureAwait(false);
            throw new TimeoutException(
                $"RTSP test server did not print READY within {ReadyTimeout.TotalSeconds:0} s. stderr:\n{CapturedStandardError}");
        }
        catch (OperationCanceledException)
        {
            await StopProcessAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task StopProcessAsync()
    {
        var process = _process;
        if (process is null)
        {
            return;
        }

        try
        {
            if (!process.HasExited)
            {
                process.Kill();
            }

            using var timeout = new CancellationTokenSource(ExitTimeout);
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
        }
    }

    /// <summary>The exit code, or "?" once <see cref="Kill"/> has disposed the process.</summary>
    private static string ExitCodeOf(Process process)
    {
        try
        {
            return process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (InvalidOperationException)
        {
            return "?";
        }
    }

    private void Signal(int signal)
    {
        var process = CurrentProcess;
        if (process.HasExited)
        {
            throw new InvalidOperationException($"RTSP test server (pid {process.Id}) has already exited.");
        }

        if (SendSignal(process.Id, signal) != 0)
        {
            throw new InvalidOperationException(
                $"kill({process.Id}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

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
