namespace StreamAnalytics.Detection;

/// <summary>The <c>phase</c> of an event message; all phases of one incident share its event id.</summary>
internal static class IncidentPhase
{
    public const string Start = "start";
    public const string Update = "update";
    public const string End = "end";
}
