namespace StreamAnalytics.Configuration.Validation;

/// <summary>The Sharding section. The ordinal read from the host name is checked at start, where the name is known.</summary>
internal sealed class ShardingValidator : IOptionsSectionValidator
{
    public void Validate(StreamAnalyticsOptions options, ICollection<string> errors)
    {
        var sharding = options.Sharding;
        if (sharding.Count is < 1 or > 4096)
        {
            errors.Add($"Sharding.Count must be between 1 and 4096 (got {sharding.Count}).");
        }
        else if (!sharding.OrdinalFromHostname && (sharding.Ordinal < 0 || sharding.Ordinal >= sharding.Count))
        {
            errors.Add($"Sharding.Ordinal must be between 0 and Sharding.Count - 1 = {sharding.Count - 1} (got {sharding.Ordinal}).");
        }
    }
}
