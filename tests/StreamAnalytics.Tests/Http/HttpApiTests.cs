using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using OpenCvSharp;
using StreamAnalytics.Heads.Motion;

namespace StreamAnalytics.Tests.Http;

/// <summary>Every endpoint of the HTTP port, against the shipped executable running real cameras (files of real footage).</summary>
[Collection(Integration.IntegrationCollection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class HttpApiTests : IDisposable
{
    private static readonly string Walkway = SharedData.Path("ucsd-ped2", "test", "test01.mp4");
    private static readonly string Street = SharedData.Path("ucsd-ped2", "test", "test03.mp4");

    private readonly string _folder = Directory.CreateTempSubdirectory("sa-http-").FullName;

    [Fact]
    public async Task Probes_metrics_openapi_and_the_reference_page_answer()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var service = await StartAsync([ServiceConfiguration.Camera("walkway", Walkway)], cts.Token);

        Assert.Equal("ok\n", await service.Http.GetStringAsync("healthz", cts.Token));
        using var ready = JsonDocument.Parse(await service.Http.GetStringAsync("readyz", cts.Token));
        Assert.Equal("ready", ready.RootElement.GetProperty("status").GetString());
        foreach (var check in new[] { "model", "cameras", "publishing" })
        {
            Assert.True(ready.RootElement.GetProperty("checks").GetProperty(check).GetProperty("ok").GetBoolean(), check);
        }

        var metrics = await service.Http.GetStringAsync("metrics", cts.Token);
        Assert.Contains("streamanalytics_ingest_camera_up{camera=\"walkway\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("streamanalytics_hosting_ready 1", metrics, StringComparison.Ordinal);

        using var openApi = JsonDocument.Parse(await service.Http.GetStringAsync("openapi/v1.json", cts.Token));
        var paths = openApi.RootElement.GetProperty("paths");
        foreach (var path in new[] { "/api/v1/cameras", "/api/v1/cameras/{id}", "/api/v1/cameras/{id}/snapshot.jpg", "/api/v1/incidents", "/api/v1/incidents/stream" })
        {
            Assert.True(paths.TryGetProperty(path, out _), $"OpenAPI document lacks {path}");
        }

        using var docs = await service.Http.GetAsync("docs/index.html", cts.Token);
        Assert.Equal(HttpStatusCode.OK, docs.StatusCode);
        Assert.Contains("swagger", await docs.Content.ReadAsStringAsync(cts.Token), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Cameras_are_added_replaced_and_removed_at_run_time_while_another_keeps_decoding_without_a_gap()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var service = await StartAsync([ServiceConfiguration.Camera("walkway", Walkway)], cts.Token);
        await WaitOnlineAsync(service, "walkway", cts.Token);

        // The configured camera's frame counter, read every 100 ms while the others come and go.
        var samples = new List<(DateTime At, long Frames)>();
        using var watching = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
            while (await timer.WaitForNextTickAsync(watching.Token).ConfigureAwait(false))
            {
                var camera = await service.Http.GetFromJsonAsync<JsonElement>("api/v1/cameras/walkway", watching.Token).ConfigureAwait(false);
                samples.Add((DateTime.UtcNow, camera.GetProperty("frames").GetInt64()));
            }
        });

        using var added = await service.Http.PostAsJsonAsync("api/v1/cameras", ServiceConfiguration.Camera("street", Street), cts.Token);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal("/api/v1/cameras/street", added.Headers.Location?.OriginalString);
        var street = await WaitOnlineAsync(service, "street", cts.Token);
        Assert.Equal("api", street.GetProperty("source").GetString());

        using var duplicate = await service.Http.PostAsJsonAsync("api/v1/cameras", ServiceConfiguration.Camera("walkway", Street), cts.Token);
        Assert.Equal(HttpStatusCode.Conflict, duplicate.StatusCode);

        using var replaced = await service.Http.PutAsJsonAsync("api/v1/cameras/street", ServiceConfiguration.Camera("street", Street, ("Width", 160), ("Height", 120)), cts.Token);
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        await Eventually.MatchAsync(
            ct => service.Http.GetFromJsonAsync<JsonElement>("api/v1/cameras/street", ct),
            c => c.GetProperty("state").GetString() == "online",
            TimeSpan.FromSeconds(30),
            "the replaced camera to be online again",
            cts.Token);
        var picture = Cv2.ImDecode(await service.Http.GetByteArrayAsync("api/v1/cameras/street/snapshot.jpg", cts.Token), ImreadModes.Color);
        Assert.Equal((160, 120), (picture.Width, picture.Height));

        using var configured = await service.Http.DeleteAsync("api/v1/cameras/walkway", cts.Token);
        Assert.Equal(HttpStatusCode.Conflict, configured.StatusCode);
        Assert.Contains("configuration file", await configured.Content.ReadAsStringAsync(cts.Token), StringComparison.Ordinal);

        using var removed = await service.Http.DeleteAsync("api/v1/cameras/street", cts.Token);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        using var gone = await service.Http.GetAsync("api/v1/cameras/street", cts.Token);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal(["walkway"], (await service.Http.GetFromJsonAsync<JsonElement[]>("api/v1/cameras", cts.Token))!.Select(c => c.GetProperty("id").GetString()));
        Assert.DoesNotContain("camera=\"street\"", (await service.Http.GetStringAsync("metrics", cts.Token)).Split('\n').Where(l => l.StartsWith("streamanalytics_ingest_camera_up", StringComparison.Ordinal)));

        await watching.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watcher);
        Assert.True(samples.Count >= 5, $"only {samples.Count} samples");
        Assert.True(samples[^1].Frames > samples[0].Frames, "the configured camera decoded nothing while the other came and went");
        var stall = LongestStall(samples);
        // The file plays at 10 fps: six frame intervals without a new frame is a gap.
        Assert.True(stall < TimeSpan.FromSeconds(0.6), $"the configured camera's frame counter stood still for {stall.TotalSeconds:0.0} s while another camera was added, replaced and removed");
    }

    [Fact]
    public async Task Replacing_a_camera_keeps_what_it_learned_unless_its_url_changes()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var statePath = MotionHeadModule.StatePath(Path.Combine(_folder, "state"), "street");
        Directory.CreateDirectory(Path.GetDirectoryName(statePath)!);
        var random = new Random(8);
        var features = new MotionFeatureOptions();
        var frames = Enumerable.Range(0, 40).Select(_ => Enumerable.Range(0, features.FeatureLength).Select(_ => (float)random.NextDouble()).ToArray()).ToList();
        var learned = MotionNormalityLearner.Learn([frames], features, new MotionNormalityOptions(), "street", DateTimeOffset.UtcNow);
        MotionStateFile.Save(learned, statePath);
        await using var service = await StartAsync([ServiceConfiguration.Camera("walkway", Walkway)], cts.Token);
        using var added = await service.Http.PostAsJsonAsync("api/v1/cameras", ServiceConfiguration.Camera("street", Street), cts.Token);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        await WaitOnlineAsync(service, "street", cts.Token);

        // A new sensitivity: the same scene, so the camera resumes from its state again instead of learning for 10 minutes.
        using var tuned = await service.Http.PutAsJsonAsync("api/v1/cameras/street", ServiceConfiguration.Camera("street", Street, ("MotionSensitivity", 0.8)), cts.Token);
        Assert.Equal(HttpStatusCode.OK, tuned.StatusCode);
        await WaitOnlineAsync(service, "street", cts.Token);
        Assert.True(File.Exists(statePath), service.Output);
        Assert.Equal(2, Regex.Count(service.Output, "Camera street: motion head resumes from its saved state"));

        // Another source: another scene, learned afresh.
        using var moved = await service.Http.PutAsJsonAsync("api/v1/cameras/street", ServiceConfiguration.Camera("street", Walkway), cts.Token);
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        await WaitOnlineAsync(service, "street", cts.Token);
        Assert.False(File.Exists(statePath), "the state of the camera's old scene is still there");
        Assert.Equal(2, Regex.Count(service.Output, "Camera street: motion head resumes from its saved state"));
    }

    [Fact]
    public async Task An_invalid_camera_gets_every_problem_at_once_as_problem_details()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var service = await StartAsync([ServiceConfiguration.Camera("walkway", Walkway)], cts.Token);

        using var content = new StringContent("""{"Id": "front door", "Url": "ftp://cam/1", "Widht": 640, "QueueCapacity": 0}""", System.Text.Encoding.UTF8, "application/json");
        using var response = await service.Http.PostAsync("api/v1/cameras", content, cts.Token);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cts.Token));
        var errors = problem.RootElement.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.Contains("unknown setting 'Widht'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Id may hold only", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("scheme 'ftp'", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("QueueCapacity", StringComparison.Ordinal));

        using var notJson = new StringContent("{\"Id\": ", System.Text.Encoding.UTF8, "application/json");
        using var broken = await service.Http.PostAsync("api/v1/cameras", notJson, cts.Token);
        Assert.Equal(HttpStatusCode.BadRequest, broken.StatusCode);
        Assert.False(File.Exists(Path.Combine(_folder, "state", "cameras.json")), "a refused camera was saved");
    }

    [Fact]
    public async Task Cameras_added_through_the_api_come_back_after_a_restart()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var httpPort = FreeTcpPort.Next();
        var mqttPort = FreeTcpPort.Next();
        var config = ServiceConfiguration.For(_folder, httpPort, mqttPort, [ServiceConfiguration.Camera("walkway", Walkway)]);
        await using (var first = ServiceProcess.Start(_folder, config, httpPort))
        {
            await first.WaitReadyAsync(cts.Token);
            using var added = await first.Http.PostAsJsonAsync("api/v1/cameras", ServiceConfiguration.Camera("street", Street), cts.Token);
            Assert.Equal(HttpStatusCode.Created, added.StatusCode);
            await first.StopAsync();
            Assert.Equal(0, first.ExitCode);
        }

        await FreeTcpPort.WaitUntilFreeAsync(httpPort, TimeSpan.FromSeconds(30), cts.Token);
        await FreeTcpPort.WaitUntilFreeAsync(mqttPort, TimeSpan.FromSeconds(30), cts.Token);
        await using var second = ServiceProcess.Start(_folder, config, httpPort);
        await second.WaitReadyAsync(cts.Token);
        var street = await WaitOnlineAsync(second, "street", cts.Token);
        Assert.Equal("api", street.GetProperty("source").GetString());
    }

    [Fact]
    public async Task The_snapshot_is_the_latest_frame_with_the_cameras_mask_applied()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        object[] leftHalf = [new { Points = new[] { new[] { 0.0, 0.0 }, new[] { 0.5, 0.0 }, new[] { 0.5, 1.0 }, new[] { 0.0, 1.0 } } }];
        await using var service = await StartAsync([ServiceConfiguration.Camera("walkway", Walkway, ("Masks", leftHalf))], cts.Token);
        await WaitOnlineAsync(service, "walkway", cts.Token);

        using var response = await service.Http.GetAsync("api/v1/cameras/walkway/snapshot.jpg", cts.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/jpeg", response.Content.Headers.ContentType?.MediaType);
        using var picture = Cv2.ImDecode(await response.Content.ReadAsByteArrayAsync(cts.Token), ImreadModes.Grayscale);
        Assert.Equal((320, 240), (picture.Width, picture.Height));
        using var left = new Mat(picture, new Rect(0, 0, 150, 240));
        using var right = new Mat(picture, new Rect(170, 0, 150, 240));
        Assert.True(Cv2.Mean(left).Val0 < 3, $"masked half has mean {Cv2.Mean(left).Val0:0.0}");
        Assert.True(Cv2.Mean(right).Val0 > 40, $"unmasked half has mean {Cv2.Mean(right).Val0:0.0}");

        using var unknown = await service.Http.GetAsync("api/v1/cameras/nobody/snapshot.jpg", cts.Token);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Decoding_at_model_size_scales_in_ffmpeg_to_the_models_height_keeping_the_aspect()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var httpPort = FreeTcpPort.Next();
        var sourceSize = ServiceConfiguration.Camera("walkway", Walkway);
        sourceSize.Remove("Width");
        sourceSize.Remove("Height");
        var config = ServiceConfiguration.For(_folder, httpPort, FreeTcpPort.Next(), [sourceSize], decodeSize: "model");
        await using var service = ServiceProcess.Start(_folder, config, httpPort);
        await service.WaitReadyAsync(cts.Token);
        await WaitOnlineAsync(service, "walkway", cts.Token);

        using var picture = Cv2.ImDecode(await service.Http.GetByteArrayAsync("api/v1/cameras/walkway/snapshot.jpg", cts.Token), ImreadModes.Color);

        // Ped2 is 360x240; ResNet-18 takes 224 rows.
        Assert.Equal((336, 224), (picture.Width, picture.Height));
        Assert.Contains("walkway: opening", service.Output, StringComparison.Ordinal);
        Assert.Contains("at 336x224", service.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Incidents_are_listed_with_filters_and_streamed_live_as_server_sent_events()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var service = await StartAsync([ServiceConfiguration.Camera("walkway", Walkway)], cts.Token);

        using var stream = await service.Http.GetAsync("api/v1/incidents/stream?camera=walkway", HttpCompletionOption.ResponseHeadersRead, cts.Token);
        Assert.Equal("text/event-stream", stream.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await stream.Content.ReadAsStreamAsync(cts.Token));
        string? eventLine;
        do
        {
            eventLine = await reader.ReadLineAsync(cts.Token);
        }
        while (eventLine is not null && !eventLine.StartsWith("event:", StringComparison.Ordinal));

        Assert.Equal("event: incident", eventLine);
        var data = await reader.ReadLineAsync(cts.Token);
        Assert.StartsWith("data: ", data, StringComparison.Ordinal);
        using var live = JsonDocument.Parse(data!["data: ".Length..]);
        Assert.Equal("walkway", live.RootElement.GetProperty("cameraId").GetString());
        Assert.Equal("anomaly", live.RootElement.GetProperty("type").GetString());

        var listed = await service.Http.GetFromJsonAsync<JsonElement[]>("api/v1/incidents?camera=walkway&type=anomaly", cts.Token);
        Assert.Contains(listed!, i => i.GetProperty("incidentId").GetString() == live.RootElement.GetProperty("incidentId").GetString());
        Assert.Empty((await service.Http.GetFromJsonAsync<JsonElement[]>("api/v1/incidents?type=action", cts.Token))!);
        Assert.Empty((await service.Http.GetFromJsonAsync<JsonElement[]>($"api/v1/incidents?since={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"))}", cts.Token))!);
    }

    [Fact]
    public async Task Off_loopback_the_api_and_the_page_need_the_token_and_the_probes_do_not()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var httpPort = FreeTcpPort.Next();
        var open = new { Host = "0.0.0.0", Port = httpPort };
        var config = ServiceConfiguration.For(_folder, httpPort, FreeTcpPort.Next(), [ServiceConfiguration.Camera("walkway", Walkway)], open);

        await using (var refused = ServiceProcess.Start(_folder, config, httpPort, new Dictionary<string, string> { ["STREAMANALYTICS_API_TOKEN"] = string.Empty }))
        {
            Assert.Equal(2, await refused.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            Assert.Contains("needs a token", refused.Output, StringComparison.Ordinal);
        }

        const string apiToken = "s3cret-token-for-the-test-0123";
        await using var service = ServiceProcess.Start(_folder, config, httpPort, new Dictionary<string, string> { ["STREAMANALYTICS_API_TOKEN"] = apiToken });
        await service.WaitReadyAsync(cts.Token);

        Assert.Equal(HttpStatusCode.Unauthorized, (await service.Http.GetAsync("api/v1/cameras", cts.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await service.Http.GetAsync("/", cts.Token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await service.Http.GetAsync("metrics", cts.Token)).StatusCode);
        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "api/v1/cameras"))
        {
            wrong.Headers.Authorization = new("Bearer", apiToken + "x");
            Assert.Equal(HttpStatusCode.Unauthorized, (await service.Http.SendAsync(wrong, cts.Token)).StatusCode);
        }

        using (var right = new HttpRequestMessage(HttpMethod.Get, "api/v1/cameras"))
        {
            right.Headers.Authorization = new("Bearer", apiToken);
            Assert.Equal(HttpStatusCode.OK, (await service.Http.SendAsync(right, cts.Token)).StatusCode);
        }

        // A browser opens /?token=… once and gets a cookie that the page's own requests carry.
        using var browser = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = service.Http.BaseAddress };
        using var login = await browser.GetAsync($"/?token={apiToken}", cts.Token);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        Assert.Contains(login.Headers.GetValues("Set-Cookie"), c => c.Contains("httponly", StringComparison.OrdinalIgnoreCase) && c.Contains("samesite=strict", StringComparison.OrdinalIgnoreCase));
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("api/v1/cameras", cts.Token)).StatusCode);

        Assert.DoesNotContain(apiToken, service.Output, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private async Task<ServiceProcess> StartAsync(IEnumerable<object> cameras, CancellationToken cancellationToken)
    {
        var httpPort = FreeTcpPort.Next();
        var service = ServiceProcess.Start(_folder, ServiceConfiguration.For(_folder, httpPort, FreeTcpPort.Next(), cameras), httpPort);
        try
        {
            await service.WaitReadyAsync(cancellationToken);
            return service;
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    private static Task<JsonElement> WaitOnlineAsync(ServiceProcess service, string id, CancellationToken cancellationToken) =>
        Eventually.MatchAsync(
            ct => service.Http.GetFromJsonAsync<JsonElement>($"api/v1/cameras/{id}", ct),
            c => c.GetProperty("state").GetString() == "online" && c.GetProperty("frames").GetInt64() > 0,
            TimeSpan.FromSeconds(30),
            $"camera {id} to be online",
            cancellationToken);

    private static TimeSpan LongestStall(List<(DateTime At, long Frames)> samples)
    {
        var longest = TimeSpan.Zero;
        var since = samples[0];
        foreach (var sample in samples.Skip(1))
        {
            if (sample.Frames > since.Frames)
            {
                since = sample;
            }
            else if (sample.At - since.At > longest)
            {
                longest = sample.At - since.At;
            }
        }

        return longest;
    }
}
