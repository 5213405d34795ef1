using System.Text.Json;

namespace StreamAnalytics.Http;

/// <summary>What the API may do with the running cameras; the host implements it over the pipeline.</summary>
internal interface ICameraControl
{
    /// <summary>Every camera, configured ones first, then those added through the API, each in its order.</summary>
    IReadOnlyList<CameraView> List();

    CameraView? Find(string id);

    /// <param name="camera">One camera as in the configuration file's Cameras list.</param>
    Task<CameraChange> AddAsync(JsonElement camera, CancellationToken cancellationToken);

    /// <summary>Replaces the settings of a camera added through the API; it reconnects with them.</summary>
    Task<CameraChange> ReplaceAsync(string id, JsonElement camera, CancellationToken cancellationToken);

    Task<CameraChange> RemoveAsync(string id, CancellationToken cancellationToken);

    /// <summary>The camera's next decoded, masked frame as JPEG; null when no camera has this id or it does not run.</summary>
    Task<byte[]?> NextPictureAsync(string id, CancellationToken cancellationToken);
}
