using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace StreamAnalytics.Http;

/// <summary>
/// <c>/healthz</c>: the process is alive and serving (a liveness probe restarts it otherwise).
/// <c>/readyz</c>: it can do its job now, 503 with the failing checks otherwise (a readiness probe routes around it).
/// </summary>
internal static class ProbeEndpoints
{
    public static void MapProbes(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/healthz", () => Results.Text("ok\n", "text/plain"))
            .ExcludeFromDescription();
        endpoints.MapGet("/readyz", (IReadiness readiness) =>
            {
                var report = readiness.Check();
                return Results.Json(
                    new { status = report.Status, checks = report.Checks },
                    statusCode: report.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
            })
            .ExcludeFromDescription();
    }
}
