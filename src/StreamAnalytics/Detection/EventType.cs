namespace StreamAnalytics.Detection;

public static class EventType
{
    public const string Anomaly = "anomaly";
    public const string Action = "action";
}
