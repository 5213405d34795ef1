using System.Diagnostics;
using System.Text.Json;

namespace StreamAnalytics.Tests.Integration;

/// <summary>The process is SIGKILLed while the broker is down; after a restart the outbox is replayed and nothing is lost.</summary>
[Collection(IntegrationCollection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class CrashRecoveryTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("sa-crash-").FullName;

    [Fact]
    public async Task Events_pending_when_the_process_is_killed_are_published_after_restart()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        await using var broker = await MosquittoBroker.StartAsync(cts.Token);
        await broker.StopAsync();
        var outbox = Path.Combine(_folder, "outbox");
        var config = WriteConfig(broker.Port, outbox);

        var first = Start(config);
        try
        {
            await WaitForFilesAsync(outbox, count: 6, TimeSpan.FromSeconds(90));
        }
        finally
        {
            first.Kill();
            await first.WaitForExitAsync(cts.Token);
        }

        Assert.Equal(137, first.ExitCode);
        var pending = ReadPendingIds(outbox);
        Assert.True(pending.Count >= 6, $"{pending.Count} events were pending at the kill");

        await broker.StartAgainAsync(cts.Token);
        await using var subscriber = await EventSubscriber.ConnectAsync(broker.Host, broker.Port, "satest/+/events", cts.Token);
        using var second = Start(config);
        try
        {
            await subscriber.WaitForAsync(_ => pending.All(id => EventOrder.Distinct(subscriber).Any(e => e.Id == id)), 1, TimeSpan.FromSeconds(90))
                .ContinueWith(_ => { }, TaskScheduler.Default);
        }
        finally
        {
            second.Kill();
            await second.WaitForExitAsync(cts.Token);
        }

        var received = EventOrder.Distinct(subscriber).Select(e => e.Id).ToList();
        Assert.All(pending, id => Assert.Contains(id, received));
        // The replayed events go out first, in the order they were written.
        Assert.Equal(pending, received.Take(pending.Count).ToList());
        EventOrder.AssertOrderedPerCamera(EventOrder.Distinct(subscriber));
    }

    private string WriteConfig(int brokerPort, string outbox)
    {
        var settings = PipelineSettings.Base(brokerPort, embeddedBroker: false);
        PipelineSettings.AddCamera(settings, 0, "crash", SharedData.Path("ucsd-ped2", "test", "test09.mp4"));
        settings["StreamAnalytics:Mqtt:Outbox:Directory"] = outbox;
        settings["StreamAnalytics:Http:Port"] = FreeTcpPort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var path = Path.Combine(_folder, "config.json");
        File.WriteAllText(path, ToJson(settings));
        return path;
    }

    /// <summary>Flat "A:B:0:C" keys to the nested JSON the executable reads.</summary>
    private static string ToJson(Dictionary<string, string?> settings)
    {
        var root = new Dictionary<string, object>();
        foreach (var (key, value) in settings)
        {
            var parts = key.Split(':');
            var node = root;
            for (var i = 0; i < parts.Length - 1; i++)
            {
                if (!node.TryGetValue(parts[i], out var child))
                {
                    child = new Dictionary<string, object>();
                    node[parts[i]] = child;
                }

                node = (Dictionary<string, object>)child;
            }

            node[parts[^1]] = value!;
        }

        return JsonSerializer.Serialize(root);
    }

    private static Process Start(string config)
    {
        var info = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "streamanalytics.dll"));
        info.ArgumentList.Add("--config");
        info.ArgumentList.Add(config);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task WaitForFilesAsync(string folder, int count, TimeSpan timeout)
    {
        Directory.CreateDirectory(folder);
        using var watcher = new FileSystemWatcher(folder, "*.evt") { EnableRaisingEvents = true };
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Check() { if (Directory.GetFiles(folder, "*.evt").Length >= count) { enough.TrySetResult(); } }
        watcher.Created += (_, _) => Check();
        watcher.Renamed += (_, _) => Check();
        Check();
        await enough.Task.WaitAsync(timeout);
    }

    private static List<string> ReadPendingIds(string folder) =>
        [.. Directory.GetFiles(folder, "*.evt")
            .Order(StringComparer.Ordinal)
            .Select(path => File.ReadAllLines(path).Skip(3).First())
            .Select(json => EventSubscriber.Parse(json).GetProperty("messageId").GetString()!)];

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
