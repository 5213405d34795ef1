namespace StreamAnalytics.Windowing;

public enum ColorOrder
{
    Bgr,
    Rgb,
}
