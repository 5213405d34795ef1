namespace StreamAnalytics.Tests.Integration;

/// <summary>
/// A camera asking for hardware decode on a device that is not there falls back to software once, with one warning,
/// and runs like any other camera. The device named here exists on no machine, so the test means the same with or
/// without a GPU.
/// </summary>
[Collection(IntegrationCollection.Name)]
[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class HardwareDecodeFallbackTests
{
    [Theory]
    [InlineData("vaapi", "/dev/dri/no-such-device")]
    [InlineData("cuda", "97")]
    public async Task An_unavailable_hardware_decoder_falls_back_to_software_with_one_warning(string hardwareDecode, string device)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var settings = PipelineSettings.Base(FreeTcpPort.Next(), embeddedBroker: true);
        PipelineSettings.AddCamera(settings, 0, "gpu-cam", SharedData.Path("ucsd-ped2", "test", "test01.mp4"));
        settings["StreamAnalytics:Cameras:0:HardwareDecode"] = hardwareDecode;
        settings["StreamAnalytics:Cameras:0:HardwareDecodeDevice"] = device;
        await using var pipeline = await PipelineUnderTest.StartAsync(settings, cts.Token);

        await Eventually.MatchAsync(
            () => pipeline.Pipeline.Cameras.SingleOrDefault()?.FramesRead ?? 0,
            frames => frames >= 30,
            TimeSpan.FromSeconds(60),
            "frames decoded in software",
            cts.Token,
            _ => pipeline.Logs.Text);

        var warnings = pipeline.Logs.Text.Split('\n').Where(l => l.Contains($"hardware decode '{hardwareDecode}' is not available here", StringComparison.Ordinal)).ToList();
        Assert.Single(warnings);
        Assert.Contains("decoding in software from now on", warnings[0], StringComparison.Ordinal);
        Assert.Equal(0, PipelineSettings.Sample(await pipeline.ScrapeMetricsAsync(cts.Token), "streamanalytics_ingest_reconnects_total{camera=\"gpu-cam\"}"));
    }
}
