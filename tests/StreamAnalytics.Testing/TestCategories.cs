namespace StreamAnalytics.Testing;

/// <summary>
/// Values of the xunit <c>Category</c> trait. A test class that starts a child process (ffmpeg, ffprobe,
/// mosquitto, python, openssl, systemd-analyze, the executable) or opens a socket (MQTT, RTSP, HTTP metrics)
/// carries <c>[Trait(TestCategories.Category, TestCategories.Integration)]</c>; everything else is a unit test.
/// <c>dotnet test --filter "Category!=Integration"</c> runs only unit tests, <c>--filter "Category=Integration"</c>
/// only the integration tests.
/// </summary>
public static class TestCategories
{
    /// <summary>The trait name.</summary>
    public const string Category = "Category";

    /// <summary>Needs real processes or sockets (and the packages that scripts/install-deps.sh --tests installs).</summary>
    public const string Integration = "Integration";
}
