using StreamAnalytics.Contracts;

namespace StreamAnalytics.Detection;

/// <summary>An event's <c>type</c>: the <see cref="HeadKind"/> of the head that raised it.</summary>
internal static class EventType
{
    public const string Anomaly = HeadKind.Anomaly;
    public const string Action = HeadKind.Action;
}
