namespace StreamAnalytics.Ingest;

public enum CameraState
{
    Connecting,
    Online,
    Stalled,
    Reconnecting,
    Stopped,
}
