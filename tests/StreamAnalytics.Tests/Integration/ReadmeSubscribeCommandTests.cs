using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using StreamAnalytics.Tests.Support;

namespace StreamAnalytics.Tests.Integration;

/// <summary>
/// The README's subscribe command, taken from the README itself and run by bash exactly as written, against the
/// embedded broker on the demo's address. <c>mosquitto_sub</c> connects with an empty client id (MQTT 3.1.1 with a
/// clean session), which the broker must accept by assigning one.
/// </summary>
[Collection(IntegrationCollection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed partial class ReadmeSubscribeCommandTests
{
    [GeneratedRegex("`(mosquitto_sub [^`]+)`")]
    private static partial Regex SubscribeCommand();

    [Fact]
    public async Task The_readme_subscribe_command_receives_the_demo_brokers_status_and_events()
    {
        var readme = await File.ReadAllTextAsync(RepositoryRoot.Path("README.md"));
        var command = SubscribeCommand().Match(readme);
        Assert.True(command.Success, "README.md shows no `mosquitto_sub ...` command");
        Assert.Contains("-h 127.0.0.1", command.Groups[1].Value, StringComparison.Ordinal);

        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        // The demo's broker: the default port and topic prefix, which the README's command names.
        var settings = PipelineSettings.Base(1883, embeddedBroker: true);
        settings["StreamAnalytics:Mqtt:TopicPrefix"] = "streamanalytics";
        PipelineSettings.AddCamera(settings, 0, "walkway", SharedData.Path("ucsd-ped2", "test", "test01.mp4"));
        await using var pipeline = await PipelineUnderTest.StartAsync(settings, cts.Token);

        using var subscriber = Process.Start(new ProcessStartInfo("bash", ["-c", command.Groups[1].Value])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        var output = new StringBuilder();
        var seen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        subscriber.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (output)
            {
                output.AppendLine(e.Data);
                var text = output.ToString();
                if (text.Contains("streamanalytics/status online", StringComparison.Ordinal) && text.Contains("streamanalytics/walkway/events {", StringComparison.Ordinal))
                {
                    seen.TrySetResult();
                }
            }
        };
        subscriber.BeginOutputReadLine();
        var stderr = subscriber.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            // A refused connection ends mosquitto_sub at once: stop waiting then, not after the timeout.
            var exited = subscriber.WaitForExitAsync(cts.Token);
            var first = await Task.WhenAny(seen.Task, exited).WaitAsync(TimeSpan.FromSeconds(60), cts.Token);
            if (first != seen.Task)
            {
                Assert.Fail($"The README's command exited with {subscriber.ExitCode}, printing:{Environment.NewLine}{output}{Environment.NewLine}stderr: {await stderr}");
            }
        }
        catch (TimeoutException)
        {
            subscriber.Kill(entireProcessTree: true);
            Assert.Fail($"Within 60 s the README's command printed:{Environment.NewLine}{output}{Environment.NewLine}stderr: {await stderr}");
        }
        finally
        {
            if (!subscriber.HasExited)
            {
                subscriber.Kill(entireProcessTree: true);
            }
        }

        await subscriber.WaitForExitAsync(cts.Token);
        Assert.DoesNotContain("Connection Refused", await stderr, StringComparison.Ordinal);
    }
}
