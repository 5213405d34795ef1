using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace StreamAnalytics.Tests.Integration;

/// <summary>
/// Debian's headless Chromium, driven over the DevTools protocol on a WebSocket: evaluate JavaScript in the page
/// and capture screenshots. No browser download and no driver process (Playwright brings a Node driver and its own
/// browser builds); the protocol's three methods used here are all a page test needs.
/// </summary>
internal sealed class HeadlessChromium : IAsyncDisposable
{
    public const string Executable = "/usr/bin/chromium";

    private readonly Process _process;
    private readonly DirectoryInfo _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentQueue<string> _stderr = new();
    private Task _receiving = Task.CompletedTask;
    private int _nextId;

    private HeadlessChromium(Process process, DirectoryInfo profile)
    {
        _process = process;
        _profile = profile;
    }

    /// <summary>The browser's last lines on stderr, for failure messages.</summary>
    public string Log => string.Join(Environment.NewLine, _stderr);

    /// <summary>Starts Chromium on <paramref name="url"/> with a viewport of <paramref name="width"/> x <paramref name="height"/> and attaches to that page.</summary>
    public static async Task<HeadlessChromium> OpenAsync(Uri url, int width, int height, CancellationToken cancellationToken)
    {
        var profile = Directory.CreateTempSubdirectory("sa-chromium-");
        var start = new ProcessStartInfo(Executable)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "--headless",
            // Test machines run as root, where Chromium's sandbox refuses to start; the page is our own, on loopback.
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-sync",
            "--disable-component-update",
            "--mute-audio",
            "--hide-scrollbars",
            // Port 0: Chromium picks a free one and prints it, so parallel runs never collide.
            "--remote-debugging-port=0",
            "--user-data-dir=" + profile.FullName,
            $"--window-size={width},{height}",
            url.AbsoluteUri,
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{Executable} did not start.");
        var browser = new HeadlessChromium(process, profile);
        try
        {
            await browser.AttachAsync(url, width, height, cancellationToken);
            return browser;
        }
        catch
        {
            await browser.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Evaluates <paramref name="expression"/> in the page (awaiting it when it is a promise) and returns its value as JSON.
    /// A script exception fails with its message.
    /// </summary>
    public async Task<JsonElement> EvaluateAsync(string expression, CancellationToken cancellationToken)
    {
        var result = await SendAsync("Runtime.evaluate", new JsonObject { ["expression"] = expression, ["returnByValue"] = true, ["awaitPromise"] = true }, cancellationToken);
        if (result.TryGetProperty("exceptionDetails", out var exception))
        {
            throw new InvalidOperationException($"The page threw: {exception}");
        }

        return result.GetProperty("result").TryGetProperty("value", out var value) ? value : default;
    }

    /// <summary>Writes a PNG of the viewport to <paramref name="path"/>.</summary>
    public async Task ScreenshotAsync(string path, CancellationToken cancellationToken)
    {
        var result = await SendAsync("Page.captureScreenshot", new JsonObject { ["format"] = "png" }, cancellationToken);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        await File.WriteAllBytesAsync(path, Convert.FromBase64String(result.GetProperty("data").GetString()!), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (!_process.HasExited)
        {
            // The renderer, GPU and zygote processes are children: take the whole tree.
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(_ => { }, TaskScheduler.Default);

        await _receiving.ContinueWith(_ => { }, TaskScheduler.Default);
        _socket.Dispose();
        _process.Dispose();
        _sendLock.Dispose();
        _stopping.Dispose();
        foreach (var pending in _pending.Values)
        {
            pending.TrySetCanceled();
        }

        try
        {
            _profile.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file Chromium was still flushing as it died; the temp folder is cleaned with the machine.
        }
    }

    private async Task AttachAsync(Uri url, int width, int height, CancellationToken cancellationToken)
    {
        // Chromium prints "DevTools listening on ws://127.0.0.1:PORT/devtools/browser/ID" on stderr once it listens.
        var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        _process.ErrorDataReceived += (sender, e) =>
        {
            if (e.Data is null)
            {
                listening.TrySetException(new InvalidOperationException($"{Executable} closed stderr before listening:{Environment.NewLine}{Log}"));
                return;
            }

            _stderr.Enqueue(e.Data);
            while (_stderr.Count > 50 && _stderr.TryDequeue(out _))
            {
            }

            const string prefix = "DevTools listening on ";
            if (e.Data.StartsWith(prefix, StringComparison.Ordinal))
            {
                listening.TrySetResult(new Uri(e.Data[prefix.Length..]));
            }
        };
        _process.OutputDataReceived += (_, _) => { };
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var browserEndpoint = await listening.Task.WaitAsync(TimeSpan.FromSeconds(60), cancellationToken);

        // The page's own endpoint, from the target list; the page may appear a moment after the browser listens.
        using var http = new HttpClient();
        var list = new Uri($"http://{browserEndpoint.Authority}/json/list");
        var targets = await Eventually.MatchAsync(
            async ct => JsonDocument.Parse(await http.GetStringAsync(list, ct)).RootElement.Clone(),
            t => PageTarget(t) is not null,
            TimeSpan.FromSeconds(30),
            $"a page target at {list}",
            cancellationToken);
        await _socket.ConnectAsync(new Uri(PageTarget(targets)!), cancellationToken);
        _receiving = ReceiveAsync(_stopping.Token);

        // The window size leaves the viewport a little smaller in some builds: set it exactly, for the screenshot.
        await SendAsync("Emulation.setDeviceMetricsOverride", new JsonObject { ["width"] = width, ["height"] = height, ["deviceScaleFactor"] = 1, ["mobile"] = false }, cancellationToken);

        // Opened means loaded: the page's scripts have run, so callers read a page, not about:blank or a half-parsed one.
        await Eventually.MatchAsync(
            ReadyStateAsync,
            state => state == "complete " + url.AbsoluteUri,
            TimeSpan.FromSeconds(30),
            $"{url} loaded",
            cancellationToken);
    }

    private async Task<string> ReadyStateAsync(CancellationToken cancellationToken)
    {
        try
        {
            return (await EvaluateAsync("document.readyState + ' ' + location.href", cancellationToken)).GetString() ?? string.Empty;
        }
        catch (InvalidOperationException)
        {
            // The first navigation can replace the context the expression ran in; the next read sees the new one.
            return string.Empty;
        }
    }

    /// <summary>The fresh profile has one page: the one opened on the command line.</summary>
    private static string? PageTarget(JsonElement targets) =>
        targets.EnumerateArray()
            .Where(t => t.GetProperty("type").GetString() == "page")
            .Select(t => t.GetProperty("webSocketDebuggerUrl").GetString())
            .FirstOrDefault();

    private async Task<JsonElement> SendAsync(string method, JsonObject parameters, CancellationToken cancellationToken)
    {
        var id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters }.ToJsonString();
        await _sendLock.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            _sendLock.Release();
        }

        try
        {
            return await reply.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Chromium did not answer {method} within 30 s.{Environment.NewLine}{Log}");
        }
        finally
        {
            _pending.TryRemove(id, out _);
        }
    }

    /// <summary>Matches each reply to its request by id; events (messages without an id) are not needed here.</summary>
    private async Task ReceiveAsync(CancellationToken cancellationToken)
    {
        var message = new ArrayBufferWriter<byte>();
        try
        {
            while (_socket.State == WebSocketState.Open)
            {
                var chunk = await _socket.ReceiveAsync(message.GetMemory(64 * 1024), cancellationToken);
                if (chunk.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Advance(chunk.Count);
                if (!chunk.EndOfMessage)
                {
                    continue;
                }

                using (var document = JsonDocument.Parse(message.WrittenMemory))
                {
                    var root = document.RootElement;
                    if (root.TryGetProperty("id", out var id) && _pending.TryGetValue(id.GetInt32(), out var reply))
                    {
                        if (root.TryGetProperty("error", out var error))
                        {
                            reply.TrySetException(new InvalidOperationException($"Chromium refused the request: {error}"));
                        }
                        else
                        {
                            reply.TrySetResult(root.GetProperty("result").Clone());
                        }
                    }
                }

                message.Clear();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // Stopping, or the browser went away: pending requests fail below instead of waiting out their timeout.
        }

        foreach (var pending in _pending.Values)
        {
            pending.TrySetException(new InvalidOperationException($"The connection to Chromium closed.{Environment.NewLine}{Log}"));
        }
    }
}
