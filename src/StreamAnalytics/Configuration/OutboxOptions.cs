namespace StreamAnalytics.Configuration;

/// <summary>The durable, on-disk queue that holds every event until the broker acknowledges it.</summary>
internal sealed class OutboxOptions
{
    /// <summary>Folder for pending events; relative paths are against the working folder. It survives restarts.</summary>
    public string Directory { get; set; } = "state/outbox";

    /// <summary>Most events kept while the broker is away; beyond it the oldest are dropped, counted and logged.</summary>
    public int MaxEvents { get; set; } = 100_000;

    /// <summary><c>always</c>: fsync each event before its first publish attempt (survives power loss); <c>none</c>: leave it to the OS (survives a process crash).</summary>
    public string Flush { get; set; } = "always";
}
