namespace StreamAnalytics.Tests.Integration;

internal static class CameraStatusJson
{
    public static string State(string payload) => EventSubscriber.Parse(payload).GetProperty("state").GetString()!;

    public static Func<string, bool> Is(string state) => payload => State(payload) == state;
}
