namespace StreamAnalytics.Http;

/// <summary>How a request to add, replace or remove a camera ended; each maps to one HTTP status.</summary>
internal enum CameraChangeOutcome
{
    /// <summary>Done (201 for an add, 200 for a replace, 204 for a removal).</summary>
    Done,

    /// <summary>The camera breaks the configuration's rules (400, every problem listed).</summary>
    Invalid,

    /// <summary>The id is taken, or the camera comes from the configuration file and cannot be changed here (409).</summary>
    Conflict,

    /// <summary>No camera has this id (404).</summary>
    NotFound,

    /// <summary>The pipeline is starting or stopping (503).</summary>
    Unavailable,
}
