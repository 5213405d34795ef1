using StreamAnalytics.Ingest;

namespace StreamAnalytics.Tests.Ingest;

public sealed class CameraSourceTests
{
    [Theory]
    [InlineData("rtsp://admin:s3cret@10.0.0.5:554/Streaming/Channels/101", "rtsp://***@10.0.0.5:554/Streaming/Channels/101")]
    [InlineData("rtsps://viewer:pw@cam.example.com/live?password=pw", "rtsps://***@cam.example.com/live?password=***")]
    [InlineData("RTSP://10.0.0.5/stream", "RTSP://10.0.0.5/stream")]
    public void Rtsp_urls_keep_their_input_and_display_without_credentials(string url, string display)
    {
        Assert.True(CameraSource.TryParse(url, out var source, out var error));

        Assert.Null(error);
        Assert.Equal(CameraSourceKind.Rtsp, source.Kind);
        Assert.Equal(url, source.Input);
        Assert.Equal(display, source.Display);
    }

    [Theory]
    [InlineData("/srv/video/lobby.mp4", "/srv/video/lobby.mp4")]
    [InlineData("  relative/clip.avi  ", "relative/clip.avi")]
    [InlineData("clip with spaces.mkv", "clip with spaces.mkv")]
    public void Plain_paths_are_files(string url, string expected)
    {
        Assert.True(CameraSource.TryParse(url, out var source, out _));

        Assert.Equal(new CameraSource(CameraSourceKind.File, expected, expected), source);
    }

    [Theory]
    [InlineData("file:///srv/video/lobby.mp4", "/srv/video/lobby.mp4")]
    [InlineData("file:///srv/video/with%20space.mp4", "/srv/video/with space.mp4")]
    public void File_urls_become_local_paths(string url, string expected)
    {
        Assert.True(CameraSource.TryParse(url, out var source, out _));

        Assert.Equal(CameraSourceKind.File, source.Kind);
        Assert.Equal(expected, source.Input);
        Assert.Equal(expected, source.Display);
    }

    [Theory]
    [InlineData("http://10.0.0.5/video.mjpg", "'http'")]
    [InlineData("udp://239.0.0.1:1234", "'udp'")]
    [InlineData("HTTPS://x/y", "'https'")]
    public void Unsupported_schemes_are_rejected_by_name(string url, string scheme)
    {
        Assert.False(CameraSource.TryParse(url, out var source, out var error));

        Assert.Null(source);
        Assert.Contains($"scheme {scheme} is not supported", error, StringComparison.Ordinal);
    }

    [Fact]
    public void An_rtsp_url_without_host_is_rejected_without_echoing_its_password()
    {
        Assert.False(CameraSource.TryParse("rtsp://admin:hunter2@/stream", out _, out var error));

        Assert.Contains("not a valid rtsp URL", error, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", error, StringComparison.Ordinal);
    }
}
