using System.Text;
using Microsoft.Extensions.Configuration;
using StreamAnalytics.Configuration;

namespace StreamAnalytics.Tests.Deploy;

/// <summary>
/// A deployed configuration as the process would see it: a config file, then the environment the deployment
/// sets (which wins), checked by the product's own schema and validator.
/// </summary>
internal static class DeployedConfiguration
{
    private const string ShardingPrefix = "StreamAnalytics:Sharding";

    /// <summary>Whether this build of the product knows the Sharding section (the deployment sets it either way).</summary>
    public static bool KnowsSharding => typeof(StreamAnalyticsOptions).GetProperty("Sharding") is not null;

    /// <param name="configJson">The config file's text.</param>
    /// <param name="environment">Environment variables; only <c>StreamAnalytics__…</c> ones are configuration.</param>
    public static List<string> Problems(string configJson, IEnumerable<KeyValuePair<string, string>> environment)
    {
        var settings = environment
            .Where(e => e.Key.StartsWith("StreamAnalytics__", StringComparison.Ordinal))
            .Select(e => KeyValuePair.Create(e.Key.Replace("__", ":", StringComparison.Ordinal), (string?)e.Value))
            // A product built before the Sharding section would call those keys unknown: the deployment is
            // ahead of it, not wrong. Once the section exists they are checked like every other key.
            .Where(e => KnowsSharding || !e.Key.StartsWith(ShardingPrefix, StringComparison.OrdinalIgnoreCase));
        using var json = new MemoryStream(Encoding.UTF8.GetBytes(configJson));
        var configuration = new ConfigurationBuilder().AddJsonStream(json).AddInMemoryCollection(settings).Build();
        var section = configuration.GetSection(StreamAnalyticsOptions.SectionName);
        var problems = ConfigurationSchemaChecker.Check(section, typeof(StreamAnalyticsOptions), out var unconvertible);
        if (unconvertible.Count == 0)
        {
            var options = new StreamAnalyticsOptions();
            section.Bind(options);
            problems.AddRange(StreamAnalyticsOptionsValidator.Collect(options));
        }

        return problems;
    }
}
