namespace StreamAnalytics.Configuration;

/// <summary>
/// Many processes sharing one camera list: each runs the cameras whose stable hash of the id, modulo
/// <see cref="Count"/>, is its ordinal, and lists the others as <c>elsewhere</c>. In a Kubernetes StatefulSet the
/// ordinal is the trailing number of the pod's name (<see cref="OrdinalFromHostname"/>).
/// </summary>
internal sealed class ShardingOptions
{
    /// <summary>How many processes share the cameras; 1 runs them all here.</summary>
    public int Count { get; set; } = 1;

    /// <summary>This process's share, 0 to Count − 1.</summary>
    public int Ordinal { get; set; }

    /// <summary>Reads the ordinal from the host name's trailing number (<c>streamanalytics-2</c> → 2) instead of <see cref="Ordinal"/>.</summary>
    public bool OrdinalFromHostname { get; set; }
}
