using System.Net.Http.Json;
using System.Text.Json;
using StreamAnalytics.Tests.Integration;

namespace StreamAnalytics.Tests.Http;

/// <summary>
/// Three real processes share twelve file cameras through one mosquitto, as the pods of a StatefulSet would: each runs
/// exactly its own share and lists the others as elsewhere; one killed and restarted takes its cameras back and loses
/// nothing of its outbox.
/// </summary>
[Collection(IntegrationCollection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class ShardingTests : IDisposable
{
    private const int Shards = 3;

    private static readonly string[] Clips = ["test01.mp4", "test03.mp4", "test05.mp4", "test07.mp4"];

    private readonly string _folder = Directory.CreateTempSubdirectory("sa-shard-").FullName;

    [Fact]
    public async Task Each_of_three_processes_runs_exactly_its_share_and_a_restarted_one_takes_its_cameras_back_losing_nothing()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(6));
        await using var broker = await MosquittoBroker.StartAsync(cts.Token);
        var ids = Enumerable.Range(0, 12).Select(i => $"cam{i:D2}").ToList();
        // Few frames a second each: twelve cameras and three models share two cores.
        var cameras = ids.Select((id, i) => (object)ServiceConfiguration.Camera(id, SharedData.Path("ucsd-ped2", "test", Clips[i % Clips.Length]), ("Width", 160), ("Height", 120), ("MaxFps", 3))).ToList();
        var configs = Enumerable.Range(0, Shards).Select(ordinal => Config(ordinal, broker.Port, cameras)).ToList();
        var services = new ServiceProcess?[Shards];
        try
        {
            for (var ordinal = 0; ordinal < Shards; ordinal++)
            {
                services[ordinal] = ServiceProcess.Start(Folder(ordinal), configs[ordinal].Config, configs[ordinal].Port);
            }

            var owners = new Dictionary<string, int>();
            for (var ordinal = 0; ordinal < Shards; ordinal++)
            {
                await services[ordinal]!.WaitReadyAsync(cts.Token);
                var listed = await WaitOwnCamerasOnlineAsync(services[ordinal]!, cts.Token);
                Assert.Equal(ids, listed.Select(c => c.GetProperty("id").GetString()).Order());
                foreach (var camera in listed.Where(c => c.GetProperty("state").GetString() != "elsewhere"))
                {
                    Assert.True(owners.TryAdd(camera.GetProperty("id").GetString()!, ordinal), $"{camera.GetProperty("id")} runs in two processes");
                    Assert.Equal(ordinal, camera.GetProperty("shard").GetInt32());
                }
            }

            Assert.Equal(ids, owners.Keys.Order());
            Assert.All(Enumerable.Range(0, Shards), ordinal => Assert.Contains(ordinal, owners.Values));

            // The broker goes away: events wait in each process's outbox. Then shard 1 is killed with some pending.
            await broker.StopAsync();
            var outbox = Path.Combine(Folder(1), "outbox");
            await Eventually.MatchAsync(() => Directory.Exists(outbox) ? Directory.GetFiles(outbox, "*.evt").Length : 0, n => n >= 3, TimeSpan.FromSeconds(90), "shard 1 to hold events in its outbox", cts.Token);
            await services[1]!.KillAsync();
            var pending = Directory.GetFiles(outbox, "*.evt")
                .Select(path => EventSubscriber.Parse(File.ReadAllLines(path).Skip(3).First()).GetProperty("messageId").GetString()!)
                .ToList();
            await services[1]!.DisposeAsync();

            await broker.StartAgainAsync(cts.Token);
            await using var subscriber = await EventSubscriber.ConnectAsync(broker.Host, broker.Port, "shardtest/+/events", cts.Token);
            await FreeTcpPort.WaitUntilFreeAsync(configs[1].Port, TimeSpan.FromSeconds(30), cts.Token);
            services[1] = ServiceProcess.Start(Folder(1), configs[1].Config, configs[1].Port);
            await services[1]!.WaitReadyAsync(cts.Token);
            var again = await WaitOwnCamerasOnlineAsync(services[1]!, cts.Token);
            Assert.Equal(
                owners.Where(o => o.Value == 1).Select(o => o.Key).Order(),
                again.Where(c => c.GetProperty("state").GetString() != "elsewhere").Select(c => c.GetProperty("id").GetString()!).Order());

            await Eventually.MatchAsync(
                () => pending.Except(EventOrder.Distinct(subscriber).Select(e => e.Id)).ToList(),
                missing => missing.Count == 0,
                TimeSpan.FromSeconds(90),
                $"the {pending.Count} events pending in shard 1's outbox at the kill to reach the broker",
                cts.Token,
                missing => $"{missing.Count} missing");
        }
        finally
        {
            foreach (var service in services)
            {
                if (service is not null)
                {
                    await service.DisposeAsync();
                }
            }
        }
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Folder(int ordinal) => Directory.CreateDirectory(Path.Combine(_folder, $"shard-{ordinal}")).FullName;

    private (object Config, int Port) Config(int ordinal, int brokerPort, List<object> cameras)
    {
        var port = FreeTcpPort.Next();
        var folder = Folder(ordinal);
        var mqtt = new { EmbeddedBroker = false, Host = "127.0.0.1", Port = brokerPort, TopicPrefix = "shardtest", ReconnectInitialDelaySeconds = 0.2, ReconnectMaxDelaySeconds = 1, Outbox = new { Directory = Path.Combine(folder, "outbox") } };
        return (ServiceConfiguration.For(folder, port, brokerPort, cameras, mqtt: mqtt, sharding: new { Count = Shards, Ordinal = ordinal }), port);
    }

    /// <summary>Every camera listed; those this process runs online.</summary>
    private static Task<JsonElement[]> WaitOwnCamerasOnlineAsync(ServiceProcess service, CancellationToken cancellationToken) =>
        Eventually.MatchAsync(
            async ct => (await service.Http.GetFromJsonAsync<JsonElement[]>("api/v1/cameras", ct))!,
            cameras => cameras.Length == 12 && cameras.All(c => c.GetProperty("state").GetString() is "elsewhere" or "online"),
            TimeSpan.FromSeconds(60),
            "every camera listed and this process's own online",
            cancellationToken,
            cameras => string.Join(", ", cameras.Select(c => $"{c.GetProperty("id")}={c.GetProperty("state")}")));
}
