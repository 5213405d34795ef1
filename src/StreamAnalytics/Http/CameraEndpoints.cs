using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace StreamAnalytics.Http;

/// <summary><c>/api/v1/cameras</c>: list, add, replace and remove cameras at run time, and see a camera's latest picture.</summary>
internal static class CameraEndpoints
{
    private static readonly TimeSpan PictureWait = TimeSpan.FromSeconds(3);

    public static void MapCameras(this IEndpointRouteBuilder api)
    {
        var cameras = api.MapGroup("/cameras").WithTags("Cameras");
        cameras.MapGet("/", (ICameraControl control) => TypedResults.Ok(control.List()))
            .WithName("ListCameras").WithSummary("Every camera with its state, frame rate, last error and learning progress.");
        cameras.MapGet("/{id}", (string id, ICameraControl control) =>
                control.Find(id) is { } camera ? Results.Ok(camera) : NotFound(id))
            .WithName("GetCamera").WithSummary("One camera.")
            .Produces<CameraView>().ProducesProblem(StatusCodes.Status404NotFound);
        cameras.MapPost("/", async (HttpRequest request, ICameraControl control, CancellationToken cancellationToken) =>
            {
                var (body, problem) = await ReadCameraAsync(request, cancellationToken).ConfigureAwait(false);
                return body is { } camera ? ToResult(await control.AddAsync(camera, cancellationToken).ConfigureAwait(false), created: true) : problem!;
            })
            .WithName("AddCamera").WithSummary("Adds a camera: the body is one entry of Cameras as in the configuration file, checked by the same rules.")
            .Accepts<JsonElement>("application/json")
            .Produces<CameraView>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict);
        cameras.MapPut("/{id}", async (string id, HttpRequest request, ICameraControl control, CancellationToken cancellationToken) =>
            {
                var (body, problem) = await ReadCameraAsync(request, cancellationToken).ConfigureAwait(false);
                return body is { } camera ? ToResult(await control.ReplaceAsync(id, camera, cancellationToken).ConfigureAwait(false), created: false) : problem!;
            })
            .WithName("ReplaceCamera").WithSummary("Replaces the settings of a camera added through the API; it reconnects with them.")
            .Accepts<JsonElement>("application/json")
            .Produces<CameraView>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        cameras.MapDelete("/{id}", async (string id, ICameraControl control, CancellationToken cancellationToken) =>
                ToResult(await control.RemoveAsync(id, cancellationToken).ConfigureAwait(false), created: false))
            .WithName("RemoveCamera").WithSummary("Stops a camera added through the API and forgets it.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        cameras.MapGet("/{id}/snapshot.jpg", async (string id, ICameraControl control, HttpResponse response, CancellationToken cancellationToken) =>
            {
                if (control.Find(id) is not { } camera)
                {
                    return NotFound(id);
                }

                using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                wait.CancelAfter(PictureWait);
                try
                {
                    if (await control.NextPictureAsync(id, wait.Token).ConfigureAwait(false) is { } jpeg)
                    {
                        response.Headers.CacheControl = "no-store";
                        return Results.File(jpeg, "image/jpeg");
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // No frame in time: said below.
                }

                return Results.Problem(
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "No picture",
                    detail: $"Camera '{id}' decoded no frame in the last {PictureWait.TotalSeconds:0} s (state: {camera.State}{(camera.LastError is { } error ? ", last error: " + error : string.Empty)}).");
            })
            .WithName("CameraSnapshot").WithSummary("The camera's next decoded frame as JPEG, masked like everything else.")
            .Produces(StatusCodes.Status200OK, contentType: "image/jpeg").ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status503ServiceUnavailable);
    }

    private static async Task<(JsonElement? Body, IResult? Problem)> ReadCameraAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
            return (document.RootElement.Clone(), null);
        }
        catch (JsonException ex)
        {
            return (null, Invalid([$"The body is not JSON: {ex.Message}"]));
        }
    }

    private static IResult ToResult(CameraChange change, bool created) => change.Outcome switch
    {
        CameraChangeOutcome.Done when change.Camera is null => Results.NoContent(),
        CameraChangeOutcome.Done when created => Results.Created($"/api/v1/cameras/{change.Camera!.Id}", change.Camera),
        CameraChangeOutcome.Done => Results.Ok(change.Camera),
        CameraChangeOutcome.Invalid => Invalid(change.Problems),
        CameraChangeOutcome.Conflict => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Conflict", detail: string.Join(" ", change.Problems)),
        CameraChangeOutcome.NotFound => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such camera", detail: string.Join(" ", change.Problems)),
        _ => Results.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not now", detail: string.Join(" ", change.Problems)),
    };

    private static IResult Invalid(IReadOnlyList<string> problems) => Results.Problem(
        statusCode: StatusCodes.Status400BadRequest,
        title: "The camera is invalid",
        detail: $"{problems.Count} problem{(problems.Count == 1 ? string.Empty : "s")}: {string.Join(" ", problems)}",
        extensions: new Dictionary<string, object?> { ["errors"] = problems });

    private static IResult NotFound(string id) =>
        Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such camera", detail: $"No camera has the id '{id}'.");
}
