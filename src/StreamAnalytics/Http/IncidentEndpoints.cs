using System.Net.ServerSentEvents;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using StreamAnalytics.Detection;

namespace StreamAnalytics.Http;

/// <summary><c>/api/v1/incidents</c>: the recent incidents, and the same live as Server-Sent Events.</summary>
internal static class IncidentEndpoints
{
    private const int DefaultLimit = 100;

    public static void MapIncidents(this IEndpointRouteBuilder api)
    {
        var incidents = api.MapGroup("/incidents").WithTags("Incidents");
        incidents.MapGet("/", (RecentIncidents recent, string? camera, string? type, DateTimeOffset? since, int? limit) =>
                limit is < 1
                    ? Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid limit", detail: "limit must be at least 1.")
                    : Results.Ok(recent.Query(camera, type, since, limit ?? DefaultLimit)))
            .WithName("ListIncidents").WithSummary("Recent incidents, newest first (one entry per incident; its phase is the latest message's).")
            .Produces<List<IncidentRecord>>();
        incidents.MapGet("/stream", (RecentIncidents recent, IHostApplicationLifetime lifetime, string? camera, string? type, CancellationToken cancellationToken) =>
            {
                // Ends with the client or with the service: an open stream must not hold the shutdown for its timeout.
                var until = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.ApplicationStopping);
                return TypedResults.ServerSentEvents(FollowAsync(recent, camera, type, until));
            })
            .WithName("StreamIncidents").WithSummary("Every incident message from now on (event 'incident', data as in the list), as Server-Sent Events.")
            .Produces(StatusCodes.Status200OK, contentType: "text/event-stream");
    }

    private static async IAsyncEnumerable<SseItem<IncidentRecord>> FollowAsync(RecentIncidents recent, string? camera, string? type, CancellationTokenSource until)
    {
        using var owned = until;
        using var subscription = recent.Subscribe();
        while (await WaitAsync(subscription, until.Token).ConfigureAwait(false))
        {
            while (subscription.Reader.TryRead(out var record))
            {
                if ((camera is null || record.CameraId == camera) && (type is null || record.Type == type))
                {
                    yield return new SseItem<IncidentRecord>(record, "incident");
                }
            }
        }
    }

    /// <summary>False when the client went or the service stops: the stream then simply ends.</summary>
    private static async Task<bool> WaitAsync(IncidentSubscription subscription, CancellationToken cancellationToken)
    {
        try
        {
            return await subscription.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
