using System.Diagnostics;
using System.Text.Json;

namespace StreamAnalytics.Tests.Integration;

/// <summary>The shipped executable, started as an operator would start it.</summary>
[Collection(IntegrationCollection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class ExecutableTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sa-exe-").FullName;

    [Fact]
    public async Task Config_with_three_mistakes_is_rejected_listing_all_three_with_the_camera_named()
    {
        var config = Write("bad.json", new
        {
            StreamAnalytics = new
            {
                Cameras = new object[]
                {
                    new { Id = "lobby", Url = "ftp://example/video" },
                    new { Id = "gate", Url = "rtsp://127.0.0.1:8554/gate", Width = 641 },
                },
                Mqtt = new { Port = 70000 },
            },
        });

        var (exitCode, _, stderr) = await RunAsync("--config", config);

        Assert.Equal(2, exitCode);
        Assert.Contains("3 problems", stderr, StringComparison.Ordinal);
        Assert.Contains("camera 'lobby'", stderr, StringComparison.Ordinal);
        Assert.Contains("scheme 'ftp' is not supported", stderr, StringComparison.Ordinal);
        Assert.Contains("camera 'gate'", stderr, StringComparison.Ordinal);
        Assert.Contains("Width must be an even number", stderr, StringComparison.Ordinal);
        Assert.Contains("Mqtt.Port", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Manifest_whose_shape_does_not_match_the_onnx_file_fails_at_start_naming_both()
    {
        var installed = Path.Combine(AppContext.BaseDirectory, "models", "resnet18");
        var onnx = Path.Combine(installed, "ResNet18.onnx");
        var manifest = File.ReadAllText(Path.Combine(installed, "model.json"))
            .Replace("\"width\": 224", "\"width\": 112", StringComparison.Ordinal)
            .Replace("\"height\": 224", "\"height\": 112", StringComparison.Ordinal)
            .Replace("\"file\": \"ResNet18.onnx\"", $"\"file\": {JsonSerializer.Serialize(onnx)}", StringComparison.Ordinal)
            // The FP32 file only: the check under test is the one of the file the manifest names.
            .Replace("\"fileInt8\": \"ResNet18.int8.onnx\",", string.Empty, StringComparison.Ordinal);
        var manifestPath = Path.Combine(_folder, "model.json");
        File.WriteAllText(manifestPath, manifest);
        var config = Write("ok.json", new
        {
            StreamAnalytics = new
            {
                Cameras = new object[] { new { Id = "lobby", Url = "/dev/null" } },
                Model = new { Manifest = manifestPath },
            },
        });

        var (exitCode, _, stderr) = await RunAsync("check", "--config", config);

        Assert.Equal(2, exitCode);
        Assert.Contains(manifestPath, stderr, StringComparison.Ordinal);
        Assert.Contains(onnx, stderr, StringComparison.Ordinal);
        Assert.Contains("[N,3,112,112]", stderr, StringComparison.Ordinal);
        Assert.Contains("[1,3,224,224]", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Check_accepts_the_shipped_appsettings()
    {
        var (exitCode, stdout, stderr) = await RunAsync("check");

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("Configuration is valid", stdout, StringComparison.Ordinal);
        Assert.Contains("resnet18-imagenet", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_whose_only_camera_is_a_file_without_loop_exits_0_when_the_file_ends()
    {
        var outbox = Path.Combine(_folder, "outbox");
        var config = Write("file.json", new
        {
            StreamAnalytics = new
            {
                Cameras = new object[]
                {
                    new { Id = "clip", Url = SharedData.Path("ucsd-ped2", "test", "test01.mp4"), Loop = false, Realtime = false },
                },
                Mqtt = new { EmbeddedBroker = true, Port = FreeTcpPort.Next(), Outbox = new { Directory = outbox } },
                Http = new { Port = FreeTcpPort.Next() },
                // The progress log ticks every 30 s by default; the run must not wait for it.
                Pipeline = new { ProgressLogSeconds = 30 },
            },
        });

        var (exitCode, stdout, stderr) = await RunAsync("--config", config);

        Assert.True(exitCode == 0, stdout + stderr);
        Assert.Contains("Pipeline stopped", stdout + stderr, StringComparison.Ordinal);
    }

    private string Write(string name, object content)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, JsonSerializer.Serialize(content));
        return path;
    }

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "streamanalytics.dll"));
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        var stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            // A run that does not end by itself is a failure, and must not outlive the test.
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            throw new TimeoutException($"streamanalytics {string.Join(' ', args)} did not exit within 60 s.");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
