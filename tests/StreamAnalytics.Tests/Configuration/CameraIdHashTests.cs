using StreamAnalytics.Configuration;

namespace StreamAnalytics.Tests.Configuration;

public sealed class CameraIdHashTests
{
    [Theory]
    // FNV-1a 32 test vectors (the published ones for "", "a" and "foobar").
    [InlineData("", 0x811c9dc5u)]
    [InlineData("a", 0xe40c292cu)]
    [InlineData("foobar", 0xbf9cf968u)]
    public void The_hash_is_fnv1a_of_the_utf8_id(string id, uint expected)
    {
        Assert.Equal(expected, CameraIdHash.Of(id));
    }

    [Fact]
    public void A_salt_gives_the_same_camera_another_seed()
    {
        Assert.NotEqual(CameraIdHash.SeedOf("walkway"), CameraIdHash.SeedOf("walkway", 0x5f3759df));
        Assert.Equal(CameraIdHash.SeedOf("walkway", 0x5f3759df), CameraIdHash.SeedOf("walkway", 0x5f3759df));
    }
}
