using StreamAnalytics.Configuration;

namespace StreamAnalytics.Tests.Configuration;

public sealed class CameraUrlTests
{
    [Theory]
    [InlineData("rtsp://admin:s3cret@10.0.0.5/live", true, "rtsp://admin:s3cret@10.0.0.5/live", "rtsp://***@10.0.0.5/live")]
    [InlineData(" /srv/video/lobby.mp4 ", false, "/srv/video/lobby.mp4", "/srv/video/lobby.mp4")]
    [InlineData("file:///srv/video/with%20space.mp4", false, "/srv/video/with space.mp4", "/srv/video/with space.mp4")]
    public void Accepted_urls_say_what_to_open_and_what_to_show(string url, bool isRtsp, string input, string display)
    {
        Assert.True(CameraUrl.TryParse(url, out var parsed, out var error));

        Assert.Null(error);
        Assert.Equal(new CameraUrl(isRtsp, input, display), parsed);
    }

    [Theory]
    [InlineData("http://10.0.0.5/video.mjpg", "scheme 'http' is not supported (use rtsp://, rtsps://, file:// or a file path).")]
    [InlineData("rtsp://admin:hunter2@/stream", "'rtsp://***@/stream' is not a valid rtsp URL (expected rtsp://[user:password@]host[:port]/path; write '@' in a password as %40).")]
    public void Refused_urls_say_why_without_their_password(string url, string expected)
    {
        Assert.False(CameraUrl.TryParse(url, out var parsed, out var error));

        Assert.Null(parsed);
        Assert.Equal(expected, error);
    }
}
