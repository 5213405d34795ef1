using StreamAnalytics.Ingest;

namespace StreamAnalytics.Tests.Ingest;

[Trait(TestCategories.Category, TestCategories.Integration)]
public sealed class VideoProbeTests
{
    [Fact]
    public void Parses_width_height_and_average_frame_rate()
    {
        // What `ffprobe -v error -select_streams v:0 -show_entries stream=width,height,avg_frame_rate,r_frame_rate -of json` prints.
        const string json = """
            {
                "programs": [

                ],
                "stream_groups": [

                ],
                "streams": [
                    {
                        "width": 768,
                        "height": 576,
                        "r_frame_rate": "10/1",
                        "avg_frame_rate": "10/1"
                    }
                ]
            }
            """;

        Assert.Equal(new VideoGeometry(768, 576, 10), VideoProbe.Parse(json));
    }

    [Fact]
    public void An_unknown_average_rate_falls_back_to_the_real_base_rate()
    {
        const string json = """{ "streams": [ { "width": 1920, "height": 1080, "r_frame_rate": "30000/1001", "avg_frame_rate": "0/0" } ] }""";

        var geometry = VideoProbe.Parse(json)!.Value;

        Assert.Equal(1920, geometry.Width);
        Assert.Equal(1080, geometry.Height);
        Assert.Equal(29.97, geometry.FramesPerSecond!.Value, 2);
    }

    [Theory]
    [InlineData("""{ "streams": [ { "width": 640, "height": 480 } ] }""")]
    [InlineData("""{ "streams": [ { "width": 640, "height": 480, "avg_frame_rate": "0/0", "r_frame_rate": "90000/1" } ] }""")]
    public void A_missing_or_implausible_rate_is_null(string json)
    {
        Assert.Equal(new VideoGeometry(640, 480, null), VideoProbe.Parse(json));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("{}")]
    [InlineData("""{ "programs": [], "streams": [] }""")]
    [InlineData("""{ "streams": [ { "width": 0, "height": 480 } ] }""")]
    [InlineData("""{ "streams": [ { "height": 480, "avg_frame_rate": "25/1" } ] }""")]
    public void No_usable_video_stream_gives_null(string json)
    {
        Assert.Null(VideoProbe.Parse(json));
    }
}
