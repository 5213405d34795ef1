using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;
using StreamAnalytics.Inference;

namespace StreamAnalytics.Tests.Inference;

public sealed class BatchCollectorTests
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromMilliseconds(50);
    private readonly FakeTimeProvider _time = new();
    private readonly Channel<(string Camera, int N)> _channel = Channel.CreateUnbounded<(string, int)>();

    private BatchCollector<(string Camera, int N)> Collector(int maxWeight) =>
        new(_channel.Reader, maxWeight, MaxWait, _time, (_, _) => 1);

    [Fact]
    public async Task A_full_batch_is_dispatched_without_waiting()
    {
        for (var i = 0; i < 5; i++)
        {
            _channel.Writer.TryWrite(("a", i));
        }

        var batch = new List<(string, int)>();
        var next = Collector(maxWeight: 4).NextAsync(batch, CancellationToken.None);

        Assert.True(next.IsCompleted, "a full batch must not wait for the clock");
        Assert.True(await next);
        Assert.Equal([0, 1, 2, 3], batch.Select(b => b.Item2));
    }

    [Fact]
    public async Task A_partial_batch_waits_for_max_wait_on_the_clock_then_runs()
    {
        _channel.Writer.TryWrite(("a", 1));
        var batch = new List<(string, int)>();

        var next = Collector(maxWeight: 4).NextAsync(batch, CancellationToken.None).AsTask();
        _time.Advance(MaxWait - TimeSpan.FromMilliseconds(1));
        Assert.False(next.IsCompleted, "dispatched before its maximum wait");
        _channel.Writer.TryWrite(("b", 2));
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal([("a", 1), ("b", 2)], batch);
    }

    [Fact]
    public async Task Items_arriving_while_waiting_fill_the_batch_in_arrival_order()
    {
        _channel.Writer.TryWrite(("a", 1));
        var batch = new List<(string, int)>();
        var next = Collector(maxWeight: 3).NextAsync(batch, CancellationToken.None).AsTask();

        _channel.Writer.TryWrite(("b", 1));
        _channel.Writer.TryWrite(("a", 2));

        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal([("a", 1), ("b", 1), ("a", 2)], batch);
    }

    [Fact]
    public async Task Completion_flushes_the_partial_batch_then_reports_the_end()
    {
        _channel.Writer.TryWrite(("a", 1));
        var collector = Collector(maxWeight: 4);
        var batch = new List<(string, int)>();
        var next = collector.NextAsync(batch, CancellationToken.None).AsTask();

        _channel.Writer.Complete();

        Assert.True(await next.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Single(batch);
        Assert.False(await collector.NextAsync(batch, CancellationToken.None));
        Assert.Empty(batch);
    }

    [Fact]
    public async Task Weight_decides_when_a_batch_is_full()
    {
        _channel.Writer.TryWrite(("a", 3));
        _channel.Writer.TryWrite(("b", 3));
        _channel.Writer.TryWrite(("c", 3));
        var collector = new BatchCollector<(string Camera, int N)>(_channel.Reader, 5, MaxWait, _time, (item, _) => item.N);
        var batch = new List<(string, int)>();

        Assert.True(await collector.NextAsync(batch, CancellationToken.None));

        Assert.Equal(["a", "b"], batch.Select(b => b.Item1));
    }
}
