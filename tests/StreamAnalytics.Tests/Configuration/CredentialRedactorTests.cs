using StreamAnalytics.Configuration;

namespace StreamAnalytics.Tests.Configuration;

public sealed class CredentialRedactorTests
{
    [Theory]
    [InlineData("rtsp://admin:s3cret@10.0.0.5:554/stream1", "rtsp://***@10.0.0.5:554/stream1")]
    [InlineData("rtsps://viewer@cam.example.com/live", "rtsps://***@cam.example.com/live")]
    [InlineData("RTSP://Admin:P%40ss@host/x", "RTSP://***@host/x")]
    [InlineData("mqtts://user:pw@broker:8883", "mqtts://***@broker:8883")]
    public void User_info_in_a_url_is_masked(string text, string expected)
    {
        Assert.Equal(expected, CredentialRedactor.Redact(text));
    }

    [Fact]
    public void Every_url_in_a_line_is_masked()
    {
        var line = "[rtsp @ 0x55] rtsp://a:one@h1/s failed; retrying rtsp://b:two@h2:8554/t then http://c:three@h3/";

        var redacted = CredentialRedactor.Redact(line);

        Assert.Equal("[rtsp @ 0x55] rtsp://***@h1/s failed; retrying rtsp://***@h2:8554/t then http://***@h3/", redacted);
        Assert.DoesNotContain("one", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("two", redacted, StringComparison.Ordinal);
        Assert.DoesNotContain("three", redacted, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("rtsp://host/stream?user=bob&password=hunter2&channel=1", "rtsp://host/stream?user=bob&password=***&channel=1")]
    [InlineData("https://x/api?token=abc.def&PWD=42", "https://x/api?token=***&PWD=***")]
    [InlineData("connect with passwd=letmein now", "connect with passwd=*** now")]
    [InlineData("rtsp://u:p@h/s?secret=zz", "rtsp://***@h/s?secret=***")]
    public void Secret_query_parameters_are_masked(string text, string expected)
    {
        Assert.Equal(expected, CredentialRedactor.Redact(text));
    }

    [Theory]
    [InlineData("rtsp://10.0.0.5:554/stream1")]
    [InlineData("/var/video/cam 1.mp4")]
    [InlineData("user@example.com wrote: no url here")]
    [InlineData("Camera front: connected, 25 fps")]
    public void Text_without_secrets_is_unchanged(string text)
    {
        Assert.Equal(text, CredentialRedactor.Redact(text));
    }

    [Fact]
    public void Null_and_empty_become_empty()
    {
        Assert.Equal(string.Empty, CredentialRedactor.Redact(null));
        Assert.Equal(string.Empty, CredentialRedactor.Redact(string.Empty));
    }
}
