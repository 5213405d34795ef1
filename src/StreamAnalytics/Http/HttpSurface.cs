using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;
using StreamAnalytics.Configuration;

namespace StreamAnalytics.Http;

/// <summary>
/// Everything on the one HTTP port: probes, metrics, the camera and incident API with its OpenAPI document and
/// reference page (<c>/docs</c>), and the status page. The host registers <see cref="ICameraControl"/>,
/// <see cref="IReadiness"/> and the recent incidents.
/// </summary>
internal static class HttpSurface
{
    public const string OpenApiDocument = "/openapi/v1.json";

    public static void AddHttpSurface(this IServiceCollection services)
    {
        services.AddRouting();
        services.AddProblemDetails();
        services.AddOpenApi("v1", o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "StreamAnalytics";
            document.Info.Description = "Cameras at run time, incidents (also live as Server-Sent Events), snapshots. Off loopback every call needs 'Authorization: Bearer <token>'.";
            return Task.CompletedTask;
        }));
    }

    public static void Listen(KestrelServerOptions kestrel, HttpOptions http)
    {
        if (http.Host == "localhost")
        {
            kestrel.ListenLocalhost(http.Port);
        }
        else
        {
            kestrel.Listen(IPAddress.Parse(http.Host), http.Port);
        }

        // Requests are small JSON bodies: a camera entry is a few hundred bytes.
        kestrel.Limits.MaxRequestBodySize = 1 << 20;
        kestrel.AddServerHeader = false;
    }

    public static void MapHttpSurface(this WebApplication app, StreamAnalyticsOptions options, CollectorRegistry registry, ApiToken? token)
    {
        var access = new ApiAccess(options.Http, token);
        var metricsPath = options.Metrics.Path.TrimEnd('/');
        app.Use((context, next) => access.InvokeAsync(context, next, metricsPath));
        app.MapProbes();
        if (options.Metrics.Enabled)
        {
            app.MapMetrics(metricsPath, registry);
        }

        var api = app.MapGroup("/api/v1");
        api.MapCameras();
        api.MapIncidents();
        app.MapOpenApi("/openapi/{documentName}.json");
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = "docs";
            o.SwaggerEndpoint(OpenApiDocument, "StreamAnalytics API v1");
            o.DocumentTitle = "StreamAnalytics API";
        });
        app.MapStatusPage();
    }
}
