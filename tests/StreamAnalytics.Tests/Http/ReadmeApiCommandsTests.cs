using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using StreamAnalytics.Tests.Support;

namespace StreamAnalytics.Tests.Http;

/// <summary>
/// The README's curl commands, taken from its HTTP API section and run by bash exactly as written, in order, against the
/// shipped executable on the demo's port (9464).
/// </summary>
[Collection(Integration.IntegrationCollection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed partial class ReadmeApiCommandsTests : IDisposable
{
    private const int DemoPort = 9464;

    private readonly string _folder = Directory.CreateTempSubdirectory("sa-readme-api-").FullName;

    [GeneratedRegex(@"^curl .+$", RegexOptions.Multiline)]
    private static partial Regex CurlCommand();

    [Fact]
    public async Task Every_curl_command_of_the_readme_works_against_the_running_service_as_written()
    {
        var readme = await File.ReadAllTextAsync(RepositoryRoot.Path("README.md"));
        var start = readme.IndexOf("\n## HTTP API", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no '## HTTP API' section");
        var section = readme[start..readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal)];
        var commands = CurlCommand().Matches(section).Select(m => m.Value).ToList();
        Assert.True(commands.Count >= 8, $"only {commands.Count} curl commands in the HTTP API section");

        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await FreeTcpPort.WaitUntilFreeAsync(DemoPort, TimeSpan.FromSeconds(30), cts.Token);
        var config = ServiceConfiguration.For(_folder, DemoPort, FreeTcpPort.Next(), [ServiceConfiguration.Camera("demo", SharedData.Path("ucsd-ped2", "test", "test01.mp4"))]);
        await using var service = ServiceProcess.Start(_folder, config, DemoPort);
        await service.WaitReadyAsync(cts.Token);

        foreach (var command in commands)
        {
            if (command.Contains("/incidents/stream", StringComparison.Ordinal))
            {
                // Never ends by itself: it passes once it has delivered a live incident.
                var streamed = await RunUntilAsync(command, "event: incident", TimeSpan.FromSeconds(60));
                Assert.Contains("data: {", streamed, StringComparison.Ordinal);
                continue;
            }

            var (exitCode, output) = await RunAsync(command, cts.Token);
            Assert.True(exitCode == 0, $"`{command}` exited with {exitCode}:{Environment.NewLine}{output}{Environment.NewLine}{service.Output}");
            if (command.Contains("-X POST", StringComparison.Ordinal))
            {
                Assert.Contains("\"id\":\"street\"", output, StringComparison.Ordinal);
            }
            else if (command.Contains("snapshot.jpg", StringComparison.Ordinal))
            {
                var jpeg = await File.ReadAllBytesAsync(Path.Combine(_folder, "street.jpg"), cts.Token);
                Assert.True(jpeg is [0xFF, 0xD8, ..], "street.jpg is no JPEG");
            }
            else if (command.Contains("incidents?", StringComparison.Ordinal))
            {
                Assert.Contains("\"cameraId\":\"demo\"", output, StringComparison.Ordinal);
            }
            else if (command.Contains("readyz", StringComparison.Ordinal))
            {
                Assert.Contains("\"status\":\"ready\"", output, StringComparison.Ordinal);
            }
        }

        // The commands added, replaced and removed a camera: the demo camera is all that is left.
        Assert.Contains("\"id\":\"demo\"", await service.Http.GetStringAsync("api/v1/cameras", cts.Token), StringComparison.Ordinal);
        Assert.DoesNotContain("street", await service.Http.GetStringAsync("api/v1/cameras", cts.Token), StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<(int ExitCode, string Output)> RunAsync(string command, CancellationToken cancellationToken)
    {
        using var process = Start(command);
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }

    private async Task<string> RunUntilAsync(string command, string expected, TimeSpan timeout)
    {
        using var process = Start(command);
        var output = new StringBuilder();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (await process.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
            {
                output.AppendLine(line);
                if (line.StartsWith(expected, StringComparison.Ordinal))
                {
                    output.AppendLine(await process.StandardOutput.ReadLineAsync(deadline.Token));
                    return output.ToString();
                }
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }

        throw new Xunit.Sdk.XunitException($"`{command}` ended without '{expected}':{Environment.NewLine}{output}{await process.StandardError.ReadToEndAsync()}");
    }

    private Process Start(string command) => Process.Start(new ProcessStartInfo("bash", ["-c", command])
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
        UseShellExecute = false,
        WorkingDirectory = _folder,
    })!;
}
