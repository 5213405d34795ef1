using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace StreamAnalytics.Http;

/// <summary>The status page: three static files embedded in the binary (no build step, nothing fetched from elsewhere).</summary>
internal static class StatusPageEndpoints
{
    private static readonly (string Route, string Resource, string ContentType)[] Files =
    [
        ("/", "StatusPage/index.html", "text/html; charset=utf-8"),
        ("/status.css", "StatusPage/status.css", "text/css; charset=utf-8"),
        ("/status.js", "StatusPage/status.js", "text/javascript; charset=utf-8"),
    ];

    public static void MapStatusPage(this IEndpointRouteBuilder endpoints)
    {
        var assembly = typeof(StatusPageEndpoints).Assembly;
        foreach (var (route, resource, contentType) in Files)
        {
            using var stream = assembly.GetManifestResourceStream(resource);
            if (stream is null)
            {
                continue;
            }

            var content = new byte[stream.Length];
            stream.ReadExactly(content);
            endpoints.MapGet(route, (HttpResponse response) =>
                {
                    response.Headers.CacheControl = "no-cache";
                    return Results.Bytes(content, contentType);
                })
                .ExcludeFromDescription();
        }
    }
}
