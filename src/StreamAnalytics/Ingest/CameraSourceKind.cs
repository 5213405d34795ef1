namespace StreamAnalytics.Ingest;

public enum CameraSourceKind
{
    Rtsp,
    File,
}
