using System.Globalization;
using StreamAnalytics.Tests.Fakes;

namespace StreamAnalytics.Tests.Heads.Appearance;

/// <summary>
/// OpenCV's street scene (vtest.avi, the demo's camera) looped for 14.5 minutes at 10 fps, with a navy box the size of
/// a car parked on the lawn from <see cref="Arrives"/> to <see cref="Leaves"/> seconds; encoded once for the tests that play it.
/// </summary>
public sealed class ParkedStreetVideo : IAsyncLifetime, IDisposable
{
    public const double Arrives = 120;
    public const double Leaves = 600;
    private const string Street = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";

    private readonly TempDirectory _dir = new();

    public string Path => System.IO.Path.Combine(_dir.Path, "parked.mp4");

    public Task InitializeAsync() => FfmpegTool.RunAsync(
        "-stream_loop", "10", "-i", Street,
        "-vf", string.Create(CultureInfo.InvariantCulture, $"drawbox=x=300:y=380:w=200:h=110:color=navy:t=fill:enable='between(t,{Arrives},{Leaves})'"),
        "-c:v", "libx264", "-preset", "veryfast", "-an", Path);

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose() => _dir.Dispose();
}
