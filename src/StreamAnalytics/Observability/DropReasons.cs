namespace StreamAnalytics.Observability;

/// <summary>The values of the <c>reason</c> label on drop counters.</summary>
internal static class DropReasons
{
    /// <summary>A bounded channel was full and evicted its oldest item.</summary>
    public const string QueueFull = "queue_full";

    /// <summary>Still queued when the pipeline was told to stop and could not be drained.</summary>
    public const string Shutdown = "shutdown";

    /// <summary>The frame could not be converted for the model (logged).</summary>
    public const string Error = "error";
}
