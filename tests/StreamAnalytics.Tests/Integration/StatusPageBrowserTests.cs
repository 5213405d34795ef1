using System.Globalization;
using System.Text.Json;
using Xunit.Abstractions;

namespace StreamAnalytics.Tests.Integration;

/// <summary>
/// The status page at <c>/</c>, in a real headless Chromium against the real pipeline with two file cameras:
/// both tiles show a decoded picture, and incidents arrive in the list over the live stream.
/// </summary>
[Collection(IntegrationCollection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class StatusPageBrowserTests(ITestOutputHelper output)
{
    /// <summary>
    /// What the test reads off the page: the tiles, the incident rows, the stream indicator. Null-safe, so that a page
    /// missing a part fails the test with what it did show, not with a script error.
    /// </summary>
    private const string PageState = """
        (() => ({
          connection: document.getElementById('connection')?.dataset.state ?? '',
          streamEvents: Number(document.getElementById('incidents')?.dataset.streamEvents ?? 0),
          tiles: [...document.querySelectorAll('#cameras .camera-tile')].map(t => ({
            id: t.dataset.cameraId,
            state: t.dataset.state ?? '',
            pictureWidth: t.querySelector('img.snapshot')?.naturalWidth ?? 0,
            removable: t.querySelector('button.remove')?.hidden === false,
          })),
          incidents: [...document.querySelectorAll('#incidents .incident')].map(r => ({
            id: r.dataset.incidentId,
            camera: r.dataset.cameraId,
            phase: r.dataset.phase,
            startTime: r.dataset.startTime,
          })),
        }))()
        """;

    /// <summary>The problems listed next to the add-camera form (the page empties the list on each submit).</summary>
    private const string FormErrors = "[...document.querySelectorAll('#add-camera-errors li')].map(li => li.textContent)";

    private static readonly string[] Cameras = ["walkway", "plaza"];

    [Fact]
    public async Task The_page_shows_both_cameras_with_a_picture_and_incidents_as_the_stream_delivers_them()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        // Threshold 0 and two calibration windows (PipelineSettings.Base): each camera opens an incident within
        // seconds and updates it every window, so the stream has something to deliver while the page is open.
        var settings = PipelineSettings.Base(FreeTcpPort.Next(), embeddedBroker: true);
        PipelineSettings.AddCamera(settings, 0, Cameras[0], SharedData.Path("ucsd-ped2", "test", "test01.mp4"));
        PipelineSettings.AddCamera(settings, 1, Cameras[1], SharedData.Path("ucsd-ped2", "test", "test05.mp4"));
        await using var pipeline = await PipelineUnderTest.StartAsync(settings, cts.Token);
        await using var browser = await HeadlessChromium.OpenAsync(new Uri($"http://127.0.0.1:{pipeline.HttpPort}/"), 1280, 800, cts.Token);
        var describe = (JsonElement state) => $"{state}{Environment.NewLine}browser log:{Environment.NewLine}{browser.Log}";

        var shown = await Eventually.MatchAsync(
            ct => browser.EvaluateAsync(PageState, ct),
            state => Cameras.All(id => Tile(state, id) is { } tile && tile.GetProperty("pictureWidth").GetInt32() > 0),
            TimeSpan.FromSeconds(60),
            "a tile with a loaded picture for each camera",
            cts.Token,
            describe);
        Assert.True(shown.GetProperty("tiles").GetArrayLength() == Cameras.Length, describe(shown));

        // Live: the stream is open and has delivered incident events into the list, not just the first GET.
        shown = await Eventually.MatchAsync(
            ct => browser.EvaluateAsync(PageState, ct),
            state => state.GetProperty("connection").GetString() == "live"
                && state.GetProperty("streamEvents").GetInt32() > 0
                && Cameras.All(id => Rows(state).Any(row => row.GetProperty("camera").GetString() == id)),
            TimeSpan.FromSeconds(60),
            "an incident row of each camera, with events delivered over the live stream",
            cts.Token,
            describe);
        // Newest first, to the millisecond: the browser's clock resolution, so two starts within one millisecond tie.
        var starts = Rows(shown).Select(row => DateTimeOffset.Parse(row.GetProperty("startTime").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds()).ToList();
        Assert.True(starts.SequenceEqual(starts.OrderDescending()), describe(shown));

        var screenshot = Path.Combine(AppContext.BaseDirectory, "TestResults", "status-page.png");
        await browser.ScreenshotAsync(screenshot, cts.Token);
        output.WriteLine($"Screenshot of the status page: {screenshot}");
        Assert.True(new FileInfo(screenshot).Length > 10_000, "the screenshot is all but empty");
    }

    [Fact]
    public async Task The_add_form_lists_every_problem_the_service_names_and_a_camera_added_there_can_be_removed()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var settings = PipelineSettings.Base(FreeTcpPort.Next(), embeddedBroker: true);
        PipelineSettings.AddCamera(settings, 0, Cameras[0], SharedData.Path("ucsd-ped2", "test", "test01.mp4"));
        await using var pipeline = await PipelineUnderTest.StartAsync(settings, cts.Token);
        await using var browser = await HeadlessChromium.OpenAsync(new Uri($"http://127.0.0.1:{pipeline.HttpPort}/"), 1280, 800, cts.Token);
        await Eventually.MatchAsync(ct => browser.EvaluateAsync(PageState, ct), state => Tile(state, Cameras[0]) is not null, TimeSpan.FromSeconds(60), "the configured camera's tile", cts.Token);

        // Neither Id nor Url: the service names both problems, and the page lists each of them.
        await browser.EvaluateAsync(Submit(string.Empty, string.Empty), cts.Token);
        var errors = await Eventually.MatchAsync(ct => browser.EvaluateAsync(FormErrors, ct), e => e.GetArrayLength() >= 2, TimeSpan.FromSeconds(20), "two or more problems listed by the form", cts.Token);
        Assert.All(errors.EnumerateArray(), e => Assert.False(string.IsNullOrWhiteSpace(e.GetString())));

        // An id that is taken: 409, shown the same way.
        await browser.EvaluateAsync(Submit(Cameras[0], SharedData.Path("ucsd-ped2", "test", "test05.mp4")), cts.Token);
        await Eventually.MatchAsync(ct => browser.EvaluateAsync(FormErrors, ct), e => e.EnumerateArray().Any(m => m.GetString()!.Contains(Cameras[0], StringComparison.Ordinal)), TimeSpan.FromSeconds(20), $"a problem naming the taken id {Cameras[0]}", cts.Token);

        await browser.EvaluateAsync(Submit(Cameras[1], SharedData.Path("ucsd-ped2", "test", "test05.mp4")), cts.Token);
        var added = await Eventually.MatchAsync(
            ct => browser.EvaluateAsync(PageState, ct),
            state => Tile(state, Cameras[1]) is not null,
            TimeSpan.FromSeconds(20),
            "a tile for the camera added through the form",
            cts.Token);
        // Only a camera added through the API can be removed through it; the config file's stays.
        Assert.True(Tile(added, Cameras[1])!.Value.GetProperty("removable").GetBoolean(), added.ToString());
        Assert.False(Tile(added, Cameras[0])!.Value.GetProperty("removable").GetBoolean(), added.ToString());
        Assert.Equal(0, (await browser.EvaluateAsync(FormErrors, cts.Token)).GetArrayLength());

        // Headless Chromium has no one to answer confirm(): answer yes for it, then press Remove.
        await browser.EvaluateAsync($"window.confirm = () => true; document.querySelector('.camera-tile[data-camera-id=\"{Cameras[1]}\"] button.remove').click()", cts.Token);
        await Eventually.MatchAsync(
            ct => browser.EvaluateAsync(PageState, ct),
            state => Tile(state, Cameras[1]) is null && Tile(state, Cameras[0]) is not null,
            TimeSpan.FromSeconds(20),
            "the added camera's tile gone and the configured one still there",
            cts.Token);
    }

    /// <summary>Fills the add-camera form and submits it as a user would (with its submit event).</summary>
    private static string Submit(string id, string url) =>
        $$"""
        (() => {
          const form = document.getElementById('add-camera');
          form.elements.Id.value = {{JsonSerializer.Serialize(id)}};
          form.elements.Url.value = {{JsonSerializer.Serialize(url)}};
          form.elements.Loop.checked = true;
          form.requestSubmit();
        })()
        """;

    private static JsonElement? Tile(JsonElement state, string id) =>
        state.GetProperty("tiles").EnumerateArray().Where(t => t.GetProperty("id").GetString() == id).Cast<JsonElement?>().FirstOrDefault();

    private static JsonElement.ArrayEnumerator Rows(JsonElement state) => state.GetProperty("incidents").EnumerateArray();
}
