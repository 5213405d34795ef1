namespace StreamAnalytics.Ingest;

/// <summary>connecting → online → stalled → reconnecting → offline (and back to online), then stopped at shutdown.</summary>
internal enum CameraState
{
    /// <summary>The first attempt to open the camera is in progress.</summary>
    Connecting,

    /// <summary>Frames are arriving.</summary>
    Online,

    /// <summary>The watchdog saw no frame for its limit and is restarting the decoder.</summary>
    Stalled,

    /// <summary>Down, waiting out the backoff before the next attempt.</summary>
    Reconnecting,

    /// <summary>Down for longer than Reconnect.OfflineAfterSeconds; still retried.</summary>
    Offline,

    /// <summary>The pipeline is shutting down (or a non-looping file ended).</summary>
    Stopped,
}
