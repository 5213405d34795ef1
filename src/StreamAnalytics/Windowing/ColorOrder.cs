namespace StreamAnalytics.Windowing;

internal enum ColorOrder
{
    Bgr,
    Rgb,
}
