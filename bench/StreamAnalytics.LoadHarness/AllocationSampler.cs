using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace StreamAnalytics.LoadHarness;

/// <summary>
/// Which managed types the process allocates, sampled by the runtime's GCAllocationTick event (about one
/// event per 100 KB allocated, naming the type that crossed the mark). Counts only while <see cref="Recording"/>.
/// </summary>
internal sealed class AllocationSampler : EventListener
{
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private readonly ConcurrentDictionary<string, (long Ticks, long Bytes)> _types = new(StringComparer.Ordinal);

    public bool Recording { get; set; }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == "Microsoft-Windows-DotNETRuntime")
        {
            EnableEvents(eventSource, EventLevel.Verbose, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (!Recording || eventData.EventName is null || !eventData.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || eventData.Payload is null || eventData.PayloadNames is null)
        {
            return;
        }

        var typeIndex = eventData.PayloadNames.IndexOf("TypeName");
        var amountIndex = eventData.PayloadNames.IndexOf("AllocationAmount64");
        if (amountIndex < 0)
        {
            amountIndex = eventData.PayloadNames.IndexOf("AllocationAmount");
        }

        var type = typeIndex >= 0 ? eventData.Payload[typeIndex] as string ?? "?" : "?";
        var amount = amountIndex >= 0 ? Convert.ToInt64(eventData.Payload[amountIndex], System.Globalization.CultureInfo.InvariantCulture) : 0;
        _types.AddOrUpdate(type, (1, amount), (_, v) => (v.Ticks + 1, v.Bytes + amount));
    }

    /// <summary>The top types by sampled bytes, one per line.</summary>
    public string Top(int count)
    {
        var total = _types.Values.Sum(v => v.Bytes);
        return string.Join(Environment.NewLine, _types
            .OrderByDescending(kv => kv.Value.Bytes)
            .Take(count)
            .Select(kv => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"  {100.0 * kv.Value.Bytes / Math.Max(1, total),5:0.0}%  {kv.Value.Ticks,5} ticks  {kv.Key}")));
    }
}
