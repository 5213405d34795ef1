namespace StreamAnalytics.Heads;

/// <summary>Why a head replaced what it learned as normal: the <c>reason</c> label of the heads' relearned counters.</summary>
internal static class RelearnReason
{
    /// <summary>The periodic refresh from windows or frames that raised nothing.</summary>
    public const string Refresh = "refresh";

    /// <summary>A change that kept alerting for the lasting-change interval.</summary>
    public const string LastingChange = "lasting_change";
}
