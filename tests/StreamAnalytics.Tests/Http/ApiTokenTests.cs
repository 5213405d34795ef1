using StreamAnalytics.Configuration;
using StreamAnalytics.Http;
using StreamAnalytics.Tests.Fakes;

namespace StreamAnalytics.Tests.Http;

public sealed class ApiTokenTests
{
    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.0.0.2", true)]
    [InlineData("::1", true)]
    [InlineData("localhost", true)]
    [InlineData("0.0.0.0", false)]
    [InlineData("::", false)]
    [InlineData("192.0.2.10", false)]
    public void Only_loopback_goes_without_a_token(string host, bool loopback)
    {
        Assert.Equal(loopback, ApiToken.IsLoopback(host));
    }

    [Fact]
    public void Off_loopback_a_missing_token_is_a_start_up_problem_naming_where_to_put_it()
    {
        var problems = new List<string>();

        var token = ApiToken.Resolve(new HttpOptions { Host = "0.0.0.0", TokenEnvironmentVariable = "SA_TEST_TOKEN_UNSET_" + Guid.NewGuid().ToString("N") }, problems);

        Assert.Null(token);
        Assert.Contains("needs a token", Assert.Single(problems), StringComparison.Ordinal);
        Assert.Empty(ResolveProblems(new HttpOptions { TokenEnvironmentVariable = "SA_TEST_TOKEN_UNSET_" + Guid.NewGuid().ToString("N") }));
    }

    [Fact]
    public void The_token_file_is_read_trimmed_and_matched_exactly()
    {
        using var folder = new TempDirectory();
        var file = Path.Combine(folder.Path, "token");
        File.WriteAllText(file, "  correct-horse-battery-staple\n");
        var problems = new List<string>();

        var token = ApiToken.Resolve(new HttpOptions { Host = "0.0.0.0", TokenEnvironmentVariable = "SA_TEST_TOKEN_UNSET_" + Guid.NewGuid().ToString("N"), TokenFile = file }, problems);

        Assert.Empty(problems);
        Assert.NotNull(token);
        Assert.True(token.Matches("correct-horse-battery-staple"));
        Assert.False(token.Matches("correct-horse-battery-stapl"));
        Assert.False(token.Matches("correct-horse-battery-staple "));
        Assert.False(token.Matches(null));
        Assert.DoesNotContain("horse", token.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_token_is_refused()
    {
        using var folder = new TempDirectory();
        var file = Path.Combine(folder.Path, "token");
        File.WriteAllText(file, "short");

        Assert.Contains("at least 16 characters", Assert.Single(ResolveProblems(new HttpOptions { TokenEnvironmentVariable = "SA_TEST_TOKEN_UNSET_" + Guid.NewGuid().ToString("N"), TokenFile = file })), StringComparison.Ordinal);
    }

    private static List<string> ResolveProblems(HttpOptions options)
    {
        var problems = new List<string>();
        ApiToken.Resolve(options, problems);
        return problems;
    }
}
