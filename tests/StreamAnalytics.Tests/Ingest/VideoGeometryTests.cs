using StreamAnalytics.Ingest;

namespace StreamAnalytics.Tests.Ingest;

public sealed class VideoGeometryTests
{
    private static readonly VideoGeometry FullHd = new(1920, 1080, 25);

    [Theory]
    [InlineData(640, null, 640, 360)]
    [InlineData(null, 480, 854, 480)]
    [InlineData(1280, 720, 1280, 720)]
    [InlineData(320, 320, 320, 320)]
    [InlineData(null, null, 1920, 1080)]
    [InlineData(2, null, 2, 2)]
    [InlineData(500, null, 500, 282)] // 281.25 rounds to the nearest even height
    public void Missing_sides_follow_the_source_aspect_ratio(int? width, int? height, int expectedWidth, int expectedHeight)
    {
        var resolved = VideoGeometry.Resolve(width, height, FullHd);

        Assert.Equal(new VideoGeometry(expectedWidth, expectedHeight, 25), resolved);
    }

    [Theory]
    [InlineData(720, 576, 500, null)]
    [InlineData(768, 576, null, 250)]
    [InlineData(1281, 721, null, null)]
    [InlineData(1000, 563, 640, null)]
    [InlineData(1000, 563, 500, null)] // 281.5 would be odd
    public void Derived_sides_are_even(int sourceWidth, int sourceHeight, int? width, int? height)
    {
        var resolved = VideoGeometry.Resolve(width, height, new VideoGeometry(sourceWidth, sourceHeight, null));

        if (width is null)
        {
            Assert.Equal(0, resolved.Width % 2);
            Assert.InRange(resolved.Width, (resolved.Height * (double)sourceWidth / sourceHeight) - 2, (resolved.Height * (double)sourceWidth / sourceHeight) + 2);
        }

        if (height is null)
        {
            Assert.Equal(0, resolved.Height % 2);
            Assert.InRange(resolved.Height, (resolved.Width * (double)sourceHeight / sourceWidth) - 2, (resolved.Width * (double)sourceHeight / sourceWidth) + 2);
        }

        Assert.Null(resolved.FramesPerSecond);
    }
}
