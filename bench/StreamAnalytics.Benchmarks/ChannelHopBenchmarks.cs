using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using StreamAnalytics.Hosting;
using StreamAnalytics.Ingest;

namespace StreamAnalytics.Benchmarks;

/// <summary>
/// The decoder → windowing hop: <see cref="PipelineChannels.ForFrames"/> (bounded, DropOldest, a drop
/// callback that counts and disposes the evicted frame), with the camera's default capacity of 8.
/// <list type="bullet">
/// <item><c>WriteThenRead</c>: the consumer keeps up and finds the frame already queued.</item>
/// <item><c>WriteWhenFull_DropsOldest</c>: the consumer is behind; every write evicts the oldest frame.</item>
/// <item><c>ReaderWaiting_*</c>: the consumer was already waiting (the usual case when it keeps up at camera
///   rate): <c>WaitToReadAsync</c> is pending when the frame is written. Single-threaded and deterministic.
///   <c>DrainToken</c> passes a cancellable token as <c>CameraWindowing.RunAsync</c> does; <c>NoToken</c> does not.</item>
/// <item><c>CrossThread_AwaitingConsumer</c>: a real consumer task in the same loop shape as
///   <c>CameraWindowing.RunAsync</c> (cancellable token) on the thread pool; the producer writes one frame and
///   waits until it is consumed. Allocations of both threads count.</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
public class ChannelHopBenchmarks
{
    private const int Capacity = 8;
    private const int CrossThreadFrames = 256;

    private readonly CancellationTokenSource _drain = new();
    private FramePool _pool = null!;
    private Channel<Frame> _channel = null!;
    private Channel<Frame> _full = null!;
    private Channel<Frame> _crossThread = null!;
    private Task _consumer = null!;
    private long _consumed;
    private long _produced;

    [GlobalSetup]
    public void Setup()
    {
        // Frame contents do not matter here, only the pooled objects: small frames keep memory low.
        _pool = new FramePool("bench", 64, 36);
        _channel = PipelineChannels.ForFrames(Capacity, BenchmarkFormats.Metrics("bench"));
        _full = PipelineChannels.ForFrames(Capacity, BenchmarkFormats.Metrics("bench-full"));
        for (var i = 0; i < Capacity; i++)
        {
            _full.Writer.TryWrite(_pool.Rent());
        }

        _crossThread = PipelineChannels.ForFrames(Capacity, BenchmarkFormats.Metrics("bench-cross"));
        _consumer = Task.Run(() => ConsumeAsync(_crossThread.Reader, _drain.Token));
        for (var i = 0; i < 4; i++)
        {
            WriteThenRead();
            WriteWhenFull_DropsOldest();
            ReaderWaiting_DrainToken();
            ReaderWaiting_NoToken();
        }

        CrossThread_AwaitingConsumer();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _crossThread.Writer.TryComplete();
        _consumer.GetAwaiter().GetResult();
        _drain.Dispose();
        while (_full.Reader.TryRead(out var frame))
        {
            frame.Dispose();
        }

        _pool.Dispose();
    }

    [Benchmark(Baseline = true)]
    public bool WriteThenRead()
    {
        _channel.Writer.TryWrite(Rent());
        var read = _channel.Reader.TryRead(out var frame);
        frame!.Dispose();
        return read;
    }

    [Benchmark]
    public bool WriteWhenFull_DropsOldest() => _full.Writer.TryWrite(Rent());

    [Benchmark]
    public bool ReaderWaiting_DrainToken() => WaitWriteRead(_drain.Token);

    [Benchmark]
    public bool ReaderWaiting_NoToken() => WaitWriteRead(CancellationToken.None);

    [Benchmark(OperationsPerInvoke = CrossThreadFrames)]
    public long CrossThread_AwaitingConsumer()
    {
        var writer = _crossThread.Writer;
        for (var i = 0; i < CrossThreadFrames; i++)
        {
            writer.TryWrite(Rent());
            var expected = ++_produced;
            var spin = new SpinWait();
            while (Volatile.Read(ref _consumed) != expected)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }
        }

        return _produced;
    }

    private bool WaitWriteRead(CancellationToken token)
    {
        // The write completes the wait before it is read: this reads a finished ValueTask, once.
#pragma warning disable CA2012
        var waiting = _channel.Reader.WaitToReadAsync(token);
        _channel.Writer.TryWrite(Rent());
        var ready = waiting.GetAwaiter().GetResult();
#pragma warning restore CA2012
        _channel.Reader.TryRead(out var frame);
        frame!.Dispose();
        return ready;
    }

    private Frame Rent()
    {
        var frame = _pool.Rent();
        frame.Sequence++;
        return frame;
    }

    /// <summary>The loop shape of <c>CameraWindowing.RunAsync</c>, with the frame work replaced by Dispose.</summary>
    private async Task ConsumeAsync(ChannelReader<Frame> input, CancellationToken cancellationToken)
    {
        while (await input.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (input.TryRead(out var frame))
            {
                frame.Dispose();
                Interlocked.Increment(ref _consumed);
            }
        }
    }
}
