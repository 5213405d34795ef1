namespace StreamAnalytics.Tests.Integration;

internal static class CameraStatusJson
{
    public static string State(string payload) => EventSubscriber.Parse(payload).GetProperty("state").GetString()!;

    public static Func<string, bool> Is(string state) => payload => State(payload) == state;

    /// <summary>Whether a camera came back: an "online" follows the first <paramref name="downState"/> in <paramref name="states"/>.</summary>
    public static bool OnlineAfter(List<string> states, string downState)
    {
        var down = states.IndexOf(downState);
        return down >= 0 && states.Skip(down + 1).Contains("online");
    }
}
