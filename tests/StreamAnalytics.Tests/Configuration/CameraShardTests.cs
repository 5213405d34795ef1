using StreamAnalytics.Configuration;
using StreamAnalytics.Configuration.Validation;

namespace StreamAnalytics.Tests.Configuration;

public sealed class CameraShardTests
{
    [Theory]
    // FNV-1a 32 of the UTF-8 id, as computed by an independent implementation (Python): 'gate' → 375450386.
    [InlineData("gate", 1000, 386)]
    [InlineData("gate", 1, 0)]
    [InlineData("cam00", 3, 2)]
    [InlineData("cam01", 3, 1)]
    [InlineData("cam02", 3, 0)]
    public void A_cameras_shard_is_the_fnv1a_hash_of_its_id_modulo_the_count(string id, int count, int expected)
    {
        Assert.Equal(expected, CameraShard.Of(id, count));
    }

    [Fact]
    public void Every_camera_has_exactly_one_shard_and_the_shards_share_the_cameras()
    {
        var ids = Enumerable.Range(0, 300).Select(i => $"camera-{i}").ToList();

        var perShard = ids.GroupBy(id => CameraShard.Of(id, 3)).ToDictionary(g => g.Key, g => g.Count());

        Assert.Equal([0, 1, 2], perShard.Keys.Order());
        Assert.All(perShard.Values, n => Assert.InRange(n, 70, 130));
    }

    [Theory]
    [InlineData("streamanalytics-0", 0)]
    [InlineData("streamanalytics-2", 2)]
    [InlineData("site-a-analytics-11", 11)]
    public void The_ordinal_is_the_trailing_number_of_a_statefulset_pods_name(string host, int expected)
    {
        var problems = new List<string>();

        var ordinal = CameraShard.OrdinalOf(new ShardingOptions { Count = 12, OrdinalFromHostname = true }, host, problems);

        Assert.Empty(problems);
        Assert.Equal(expected, ordinal);
    }

    [Fact]
    public void A_host_name_without_a_number_or_beyond_the_count_is_a_start_up_problem()
    {
        var problems = new List<string>();
        var options = new ShardingOptions { Count = 3, OrdinalFromHostname = true };

        Assert.Null(CameraShard.OrdinalOf(options, "analytics", problems));
        Assert.Null(CameraShard.OrdinalOf(options, "streamanalytics-3", problems));

        Assert.Equal(2, problems.Count);
        Assert.Contains("does not end in a number", problems[0], StringComparison.Ordinal);
        Assert.Contains("gives ordinal 3, but Sharding.Count is 3", problems[1], StringComparison.Ordinal);
    }

    [Fact]
    public void The_configured_ordinal_is_used_unless_the_host_name_is_asked_for()
    {
        Assert.Equal(1, CameraShard.OrdinalOf(new ShardingOptions { Count = 3, Ordinal = 1 }, "streamanalytics-2", []));
    }

    [Fact]
    public void The_validator_reports_a_count_or_ordinal_out_of_range()
    {
        var errors = new List<string>();
        new ShardingValidator().Validate(new StreamAnalyticsOptions { Sharding = new() { Count = 3, Ordinal = 3 } }, errors);
        new ShardingValidator().Validate(new StreamAnalyticsOptions { Sharding = new() { Count = 0 } }, errors);

        Assert.Equal(["Sharding.Ordinal must be between 0 and Sharding.Count - 1 = 2 (got 3).", "Sharding.Count must be between 1 and 4096 (got 0)."], errors);
    }
}
