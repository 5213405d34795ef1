namespace StreamAnalytics.Ingest;

internal enum CameraSourceKind
{
    Rtsp,
    File,
}
