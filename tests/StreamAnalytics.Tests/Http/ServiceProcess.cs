using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace StreamAnalytics.Tests.Http;

/// <summary>
/// The shipped executable, started as an operator starts it (<c>dotnet streamanalytics.dll --config FILE</c>), with its
/// console captured. Ready once <c>/readyz</c> answers 200.
/// </summary>
internal sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServiceProcess(Process process, int port)
    {
        _process = process;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(30) };
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public int Port { get; }

    public HttpClient Http { get; }

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>Writes <paramref name="configuration"/> (the file's whole content) and starts the service on it.</summary>
    public static ServiceProcess Start(string folder, object configuration, int port, IDictionary<string, string>? environment = null)
    {
        var config = Path.Combine(folder, "config.json");
        File.WriteAllText(config, JsonSerializer.Serialize(configuration));
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "streamanalytics.dll"));
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(config);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        return new ServiceProcess(Process.Start(info)!, port);
    }

    public async Task WaitReadyAsync(CancellationToken cancellationToken) =>
        await Eventually.MatchAsync(
            async ct =>
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"The service exited with {_process.ExitCode}:{Environment.NewLine}{Output}");
                }

                try
                {
                    using var response = await Http.GetAsync("readyz", ct);
                    return response.StatusCode;
                }
                catch (HttpRequestException)
                {
                    return HttpStatusCode.ServiceUnavailable;
                }
            },
            status => status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(60),
            "/readyz to answer 200",
            cancellationToken,
            status => $"{status}{Environment.NewLine}{Output}");

    /// <summary>SIGTERM, as systemd or Kubernetes stop it, then waits for it to exit.</summary>
    public async Task StopAsync()
    {
        if (_process.HasExited)
        {
            return;
        }

        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var deadline = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(deadline.Token);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
