using StreamAnalytics.Configuration;

namespace StreamAnalytics.Tests.Configuration;

public sealed class CameraIdRuleTests
{
    [Theory]
    [InlineData("front-door_1", true)]
    [InlineData("front door", false)]
    [InlineData("cam/1", false)]
    [InlineData("caméra", false)]
    [InlineData("", false)]
    public void Ids_hold_only_letters_digits_dashes_and_underscores(string id, bool valid)
    {
        Assert.Equal(valid, CameraIdRule.IsValid(id));
    }

    [Fact]
    public void Ids_are_at_most_64_characters()
    {
        Assert.True(CameraIdRule.IsValid(new string('a', 64)));
        Assert.False(CameraIdRule.IsValid(new string('a', 65)));
    }
}
