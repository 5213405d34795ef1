using Microsoft.AspNetCore.Http;
using StreamAnalytics.Configuration;

namespace StreamAnalytics.Http;

/// <summary>
/// Off loopback, every request but the probes and the scrape needs the token: as <c>Authorization: Bearer</c>, or as
/// the cookie a browser gets by opening <c>/?token=…</c> once (a page cannot add a header to an image or an event
/// stream). The cookie is HttpOnly and SameSite=Strict, so another site's page cannot use it to change cameras.
/// </summary>
internal sealed class ApiAccess(HttpOptions options, ApiToken? token)
{
    public const string CookieName = "streamanalytics_token";

    private readonly bool _required = options.Enabled && !ApiToken.IsLoopback(options.Host);

    public async Task InvokeAsync(HttpContext context, RequestDelegate next, string metricsPath)
    {
        if (!_required || IsOpen(context.Request.Path, metricsPath))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        // Start-up refuses to listen off loopback without a token; should one still be missing here, nothing is let in.
        if (token is not null && context.Request.Path == "/" && context.Request.Query.TryGetValue("token", out var offered) && token.Matches(offered.ToString()))
        {
            context.Response.Cookies.Append(CookieName, offered.ToString(), new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = context.Request.IsHttps,
                Path = "/",
            });

            // Off the address bar and out of the browser's history.
            context.Response.Redirect("/");
            return;
        }

        if (token is not null && (token.Matches(Bearer(context.Request)) || token.Matches(context.Request.Cookies[CookieName])))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        context.Response.Headers.WWWAuthenticate = "Bearer";
        await Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "A token is needed",
            detail: "This service listens beyond loopback: send 'Authorization: Bearer <token>' (the token is in the service's environment or token file), or open /?token=<token> once in a browser.").ExecuteAsync(context).ConfigureAwait(false);
    }

    private bool IsOpen(PathString path, string metricsPath) =>
        !options.ProtectProbes && (path == "/healthz" || path == "/readyz" || path.StartsWithSegments(metricsPath, StringComparison.Ordinal));

    private static string? Bearer(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
    }
}
