using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using StreamAnalytics.Configuration;
using StreamAnalytics.Http;

namespace StreamAnalytics.Tests.Http;

public sealed class ApiAccessTests
{
    [Theory]
    [InlineData("/api/v1/cameras", StatusCodes.Status401Unauthorized)]
    [InlineData("/", StatusCodes.Status401Unauthorized)]
    [InlineData("/metrics", StatusCodes.Status200OK)]
    [InlineData("/healthz", StatusCodes.Status200OK)]
    public async Task Off_loopback_without_a_token_nothing_but_the_probes_is_let_in(string path, int expected)
    {
        var access = new ApiAccess(new HttpOptions { Host = "0.0.0.0" }, token: null);
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider() };
        context.Request.Path = path;
        context.Request.QueryString = new QueryString("?token=anything-at-all-long-enough");
        var reached = false;

        await access.InvokeAsync(context, _ => { reached = true; return Task.CompletedTask; }, "/metrics");

        Assert.Equal(expected == StatusCodes.Status200OK, reached);
        Assert.Equal(expected, context.Response.StatusCode);
    }
}
