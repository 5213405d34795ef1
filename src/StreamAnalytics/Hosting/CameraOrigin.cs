namespace StreamAnalytics.Hosting;

/// <summary>Where a running camera was defined; only cameras added through the API can be changed through it.</summary>
internal enum CameraOrigin
{
    /// <summary>The configuration file (or environment, or command line): change it there.</summary>
    Config,

    /// <summary>Added through <c>POST /api/v1/cameras</c> and saved in the state directory.</summary>
    Api,
}
