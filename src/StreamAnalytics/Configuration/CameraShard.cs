using System.Globalization;

namespace StreamAnalytics.Configuration;

/// <summary>
/// Which process of a sharded deployment runs a camera: <see cref="CameraIdHash"/> of its id, modulo the shard count.
/// The same on every machine, process and .NET version, and it moves no camera when another is added or removed.
/// </summary>
internal static class CameraShard
{
    public static int Of(string cameraId, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var hash = CameraIdHash.Of(cameraId);
        return (int)(hash % (uint)count);
    }

    /// <summary>
    /// This process's ordinal: <see cref="ShardingOptions.Ordinal"/>, or the trailing number of <paramref name="hostName"/>
    /// (a StatefulSet pod is named <c>&lt;set&gt;-&lt;ordinal&gt;</c>). Null, with the problem added, when it cannot be had.
    /// </summary>
    public static int? OrdinalOf(ShardingOptions options, string hostName, ICollection<string> problems)
    {
        if (!options.OrdinalFromHostname)
        {
            return options.Ordinal;
        }

        var digits = hostName.Length - hostName.AsSpan().TrimEnd("0123456789").Length;
        if (digits == 0 || !int.TryParse(hostName.AsSpan(hostName.Length - digits), NumberStyles.None, CultureInfo.InvariantCulture, out var ordinal))
        {
            problems.Add($"Sharding.OrdinalFromHostname: the host name '{hostName}' does not end in a number (a StatefulSet pod is named like 'streamanalytics-2'); set Sharding.Ordinal instead.");
            return null;
        }

        if (ordinal >= options.Count)
        {
            problems.Add($"Sharding.OrdinalFromHostname: the host name '{hostName}' gives ordinal {ordinal}, but Sharding.Count is {options.Count}; make the StatefulSet's replicas equal Sharding.Count.");
            return null;
        }

        return ordinal;
    }
}
