using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace StreamAnalytics.Testing;

/// <summary>
/// A real Prometheus (Debian's <c>/usr/bin/prometheus</c>) on a free loopback port, with its configuration file
/// given by the caller and its storage in a private temp folder. Used to run the dashboard's queries and the alerting
/// rules against what the pipeline really exports. <see cref="DisposeAsync"/> kills it and deletes its storage.
/// </summary>
public sealed class PrometheusServer : IAsyncDisposable
{
    public const string PrometheusPath = "/usr/bin/prometheus";

    private const int MaxCapturedLogChars = 64 * 1024;
    private const int StartAttempts = 3;

    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(10);

    private readonly Process _process;
    private readonly DirectoryInfo _storage;
    private readonly StringBuilder _log;
    private readonly HttpClient _http;

    private PrometheusServer(Process process, DirectoryInfo storage, StringBuilder log, int port)
    {
        _process = process;
        _storage = storage;
        _log = log;
        Port = port;
        _http = new HttpClient { BaseAddress = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/")) };
    }

    public int Port { get; }

    /// <summary>What Prometheus logged so far (its log goes to stderr), for failure messages.</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>
    /// Starts Prometheus on <paramref name="configFile"/> (relative paths in it, such as <c>rule_files</c>, resolve
    /// against its folder) and completes once <c>/-/ready</c> answers 200. A start that loses its port to another
    /// process (Prometheus exits at once) is retried on another port.
    /// </summary>
    public static async Task<PrometheusServer> StartAsync(string configFile, CancellationToken cancellationToken)
    {
        if (!File.Exists(PrometheusPath))
        {
            throw new FileNotFoundException("prometheus is not installed (apt-get install -y prometheus; scripts/install-deps.sh --tests).", PrometheusPath);
        }

        for (var attempt = 1; ; attempt++)
        {
            var server = Launch(configFile, FreeTcpPort.Next());
            try
            {
                await server.WaitUntilReadyAsync(cancellationToken).ConfigureAwait(false);
                return server;
            }
            catch (InvalidOperationException) when (attempt < StartAttempts && server.Log.Contains("address already in use", StringComparison.Ordinal))
            {
                await server.DisposeAsync().ConfigureAwait(false);
            }
            catch
            {
                await server.DisposeAsync().ConfigureAwait(false);
                throw;
            }
        }
    }

    /// <summary>
    /// GETs an HTTP API path such as <c>api/v1/query?query=up</c> and returns the parsed answer. Prometheus answers
    /// a bad query with 400 and a JSON body (<c>status: error</c>, <c>error</c>), which is returned like any other.
    /// </summary>
    public async Task<JsonElement> GetJsonAsync(string relativeUrl, CancellationToken cancellationToken)
    {
        if (_process.HasExited)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Prometheus exited with code {_process.ExitCode}:{Environment.NewLine}{Log}"));
        }

        using var response = await _http.GetAsync(new Uri(relativeUrl, UriKind.Relative), cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(body);
        return document.RootElement.Clone();
    }

    /// <summary>Runs an instant query at the current time; the answer's <c>status</c>, <c>data</c> or <c>error</c> as Prometheus gives them.</summary>
    public Task<JsonElement> QueryAsync(string expression, CancellationToken cancellationToken) =>
        GetJsonAsync("api/v1/query?query=" + Uri.EscapeDataString(expression), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        try
        {
            if (!_process.HasExited)
            {
                // Nothing of its storage is worth keeping: no graceful shutdown needed.
                _process.Kill(entireProcessTree: true);
                using var stop = new CancellationTokenSource(StopTimeout);
                await _process.WaitForExitAsync(stop.Token).ConfigureAwait(false);
            }
        }
        finally
        {
            _process.Dispose();
            try
            {
                _storage.Delete(recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static PrometheusServer Launch(string configFile, int port)
    {
        var storage = Directory.CreateTempSubdirectory("prometheus-test-");
        var info = new ProcessStartInfo(PrometheusPath)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--config.file=" + configFile);
        info.ArgumentList.Add("--storage.tsdb.path=" + storage.FullName);
        info.ArgumentList.Add(string.Create(CultureInfo.InvariantCulture, $"--web.listen-address=127.0.0.1:{port}"));
        var log = new StringBuilder();
        var process = new Process { StartInfo = info };
        DataReceivedEventHandler capture = (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (log)
            {
                if (log.Length < MaxCapturedLogChars)
                {
                    log.AppendLine(e.Data);
                }
            }
        };
        process.OutputDataReceived += capture;
        process.ErrorDataReceived += capture;
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new PrometheusServer(process, storage, log, port);
    }

    private async Task WaitUntilReadyAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(ReadyTimeout);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"Prometheus exited with code {_process.ExitCode} before it was ready:{Environment.NewLine}{Log}"));
            }

            try
            {
                using var response = await _http.GetAsync(new Uri("-/ready", UriKind.Relative), deadline.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                await timer.WaitForNextTickAsync(deadline.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }

        throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"Prometheus was not ready within {ReadyTimeout.TotalSeconds:0} s:{Environment.NewLine}{Log}"));
    }
}
