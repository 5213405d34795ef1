using System.Text.Json;
using StreamAnalytics.Heads.Motion;
using StreamAnalytics.Tests.Integration;

namespace StreamAnalytics.Tests.Http;

/// <summary>
/// Zero-setup learning in the shipped executable: a camera with no state learns, says how far it has got in its retained
/// status, saves its state, and after SIGKILL finds a whole state (the old or the new one, never a torn one) and resumes
/// from it without learning again. The camera rewrites its state every few seconds, so kills land between and around saves.
/// </summary>
[Collection(IntegrationCollection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class LiveMotionStateTests : IDisposable
{
    // Frames (at 10 fps) after a refresh at which each kill lands: before, around and after the next refresh 3 s later.
    private static readonly int[] KillAfterFrames = [7, 29, 18];

    private readonly string _folder = Directory.CreateTempSubdirectory("sa-live-motion-").FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // A decoder may still be closing; the temp folder is cleaned by the system.
        }
    }

    private object Config(int httpPort, int mqttPort) => new
    {
        StreamAnalytics = new
        {
            Cameras = new[]
            {
                // Ped2 plays at its own 10 fps: six seconds of learning, then a rebuilt and saved state every three seconds.
                ServiceConfiguration.Camera("walk", SharedData.Path("ucsd-ped2", "train", "train01.mp4"), ("Realtime", true), ("LearningMinutes", 0.1)),
            },
            Window = new { Length = 4, Subsample = 1, Hop = 2 },
            Model = new { Manifest = Path.Combine(AppContext.BaseDirectory, "models", "resnet18", "model.json"), ExecutionProvider = "cpu", IntraOpThreads = 1 },
            Detection = new { Anomaly = new { Enabled = false }, Motion = new { RefreshMinutes = 0.05, HoldOutBlockSeconds = 2 } },
            Mqtt = new { EmbeddedBroker = true, Host = "127.0.0.1", Port = mqttPort, TopicPrefix = "livetest", Outbox = new { Directory = Path.Combine(_folder, "outbox") } },
            Http = new { Port = httpPort },
            Pipeline = new { StateDirectory = Path.Combine(_folder, "state"), ProgressLogSeconds = 0 },
        },
    };

    private static List<(string State, double? Learning)> Statuses(EventSubscriber subscriber) =>
        [.. subscriber.Messages.Where(m => m.Topic == "livetest/walk/status" && m.Payload.Length > 0)
            .Select(m => EventSubscriber.Parse(m.Payload))
            .Select(p => (p.GetProperty("state").GetString()!, p.GetProperty("learning").ValueKind == JsonValueKind.Number ? p.GetProperty("learning").GetDouble() : (double?)null))];

    private static async Task<double> DecodedFramesAsync(ServiceProcess service, CancellationToken cancellationToken)
    {
        var metrics = await service.Http.GetStringAsync("metrics", cancellationToken);
        return PipelineSettings.Sample(metrics, "streamanalytics_ingest_frames_decoded_total{camera=\"walk\"}");
    }

    [Fact]
    public async Task A_camera_learns_reports_progress_saves_and_resumes_after_sigkill_from_a_whole_state()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var httpPort = FreeTcpPort.Next();
        var mqttPort = FreeTcpPort.Next();
        var statePath = MotionHeadModule.StatePath(Path.Combine(_folder, "state"), "walk");
        var service = ServiceProcess.Start(_folder, Config(httpPort, mqttPort), httpPort);
        try
        {
            await service.WaitReadyAsync(cts.Token);
            await using (var subscriber = await EventSubscriber.ConnectAsync("127.0.0.1", mqttPort, "livetest/walk/status", cts.Token))
            {
                await Eventually.MatchAsync(() => Statuses(subscriber), s => s.Any(x => x.Learning == 1), TimeSpan.FromSeconds(90), "the status to say learned (1)", cts.Token, s => string.Join(", ", s) + Environment.NewLine + service.Output);
                var statuses = Statuses(subscriber);
                var learning = statuses.Select(s => s.Learning!.Value).ToList();

                // Progress while it learned, never going back, then 1; learning never took the camera out of online.
                Assert.Contains(learning, l => l is > 0 and < 1);
                Assert.Equal(learning.Order(), learning);
                Assert.All(statuses.SkipWhile(s => s.State == "connecting"), s => Assert.Equal("online", s.State));
                Assert.Equal("online", statuses[^1].State);
            }

            Assert.Contains("learned normal motion from", service.Output, StringComparison.Ordinal);
            Assert.Equal("walk", MotionStateFile.Load(statePath, new MotionFeatureOptions()).CameraId);
            for (var kill = 0; kill < KillAfterFrames.Length; kill++)
            {
                // Let it refresh (and rewrite the state) at least once, then kill it once the camera has decoded a number
                // of frames more that each kill sets differently: a moment that has nothing to do with the saves.
                var written = File.GetLastWriteTimeUtc(statePath);
                await Eventually.MatchAsync(() => File.GetLastWriteTimeUtc(statePath), t => t > written, TimeSpan.FromSeconds(60), "the state to be rewritten by a refresh", cts.Token, _ => service.Output);
                var decoded = await DecodedFramesAsync(service, cts.Token);
                var more = KillAfterFrames[kill];
                await Eventually.MatchAsync(ct => DecodedFramesAsync(service, ct), n => n >= decoded + more, TimeSpan.FromSeconds(60), $"{more} more decoded frames", cts.Token);
                await service.KillAsync();

                var state = MotionStateFile.Load(statePath, new MotionFeatureOptions());
                Assert.Equal("walk", state.CameraId);
                await service.DisposeAsync();

                await FreeTcpPort.WaitUntilFreeAsync(httpPort, TimeSpan.FromSeconds(30), cts.Token);
                service = ServiceProcess.Start(_folder, Config(httpPort, mqttPort), httpPort);
                await service.WaitReadyAsync(cts.Token);
                Assert.Contains("resumes from its saved state", service.Output, StringComparison.Ordinal);
                Assert.DoesNotContain("learning what normal motion looks like", service.Output, StringComparison.Ordinal);
                await using var again = await EventSubscriber.ConnectAsync("127.0.0.1", mqttPort, "livetest/walk/status", cts.Token);
                await Eventually.MatchAsync(() => Statuses(again), s => s.Count > 0, TimeSpan.FromSeconds(30), "a status after the restart", cts.Token);
                Assert.All(Statuses(again), s => Assert.Equal(1, s.Learning));
            }
        }
        finally
        {
            await service.DisposeAsync();
        }
    }
}
