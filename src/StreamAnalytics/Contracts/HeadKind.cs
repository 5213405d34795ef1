namespace StreamAnalytics.Contracts;

/// <summary>What a head's verdict becomes downstream: the event type, and which cooldown applies.</summary>
internal static class HeadKind
{
    /// <summary>Something unlike what the camera learned as normal (unsupervised).</summary>
    public const string Anomaly = "anomaly";

    /// <summary>A recognised action, such as a fight (supervised).</summary>
    public const string Action = "action";
}
