using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace StreamAnalytics.LoadHarness;

/// <summary>
/// Learns the id (messageId, or eventId for payload v1) of every event message the pipeline produces without touching src/: it watches the durable
/// outbox folder with inotify and opens each event file the moment it is created (a raw open(2), which
/// takes no lock, so the writer's exclusive FileStream is never disturbed). The descriptor keeps the inode
/// readable after the rename and after the delete that follows the broker's PUBACK; the content is read
/// once the file has been renamed to *.evt (written, flushed and closed). A file already gone when its
/// IN_CREATE is handled is counted as missed. Sequence numbers come from the file names (1, 2, 3, ...).
/// </summary>
internal sealed class OutboxTap : IDisposable
{
    private const string Extension = ".evt";
    private const string TemporaryExtension = ".evt.tmp";

    private readonly string _directory;
    private readonly Thread _thread;
    private readonly ConcurrentDictionary<long, (string CameraId, string EventId)> _events = new();
    private readonly ConcurrentDictionary<long, byte> _missed = new();
    private readonly Dictionary<long, int> _open = [];
    private volatile bool _stop;
    private int _inotify = -1;
    private long _overflows;
    private long _maxSequence;

    public OutboxTap(string directory)
    {
        _directory = directory;
        _inotify = Native.InotifyInit(Native.InNonBlock | Native.InCloExec);
        if (_inotify < 0)
        {
            throw new InvalidOperationException($"inotify_init1 failed (errno {Marshal.GetLastPInvokeError()}).");
        }

        if (Native.InotifyAddWatch(_inotify, directory, Native.InCreate | Native.InMovedTo) < 0)
        {
            throw new InvalidOperationException($"inotify_add_watch({directory}) failed (errno {Marshal.GetLastPInvokeError()}).");
        }

        _thread = new Thread(Run) { IsBackground = true, Name = "soak outbox tap" };
        _thread.Start();
    }

    /// <summary>Events whose id was read from the outbox, by outbox sequence number.</summary>
    public IReadOnlyDictionary<long, (string CameraId, string EventId)> Events => _events;

    /// <summary>Sequence numbers whose file was gone (published and deleted) before the tap could open it.</summary>
    public IReadOnlyCollection<long> Missed => [.. _missed.Keys];

    public long Overflows => Interlocked.Read(ref _overflows);

    public long MaxSequence => Interlocked.Read(ref _maxSequence);

    private void Run()
    {
        var buffer = new byte[64 * 1024];
        var poll = new Native.PollFd { Fd = _inotify, Events = Native.PollIn };
        while (!_stop)
        {
            poll.Revents = 0;
            if (Native.Poll(ref poll, 1, 200) <= 0)
            {
                continue;
            }

            var n = (int)Native.Read(_inotify, buffer, (nuint)buffer.Length);
            for (var offset = 0; offset + 16 <= n;)
            {
                var mask = BitConverter.ToUInt32(buffer, offset + 4);
                var length = (int)BitConverter.ToUInt32(buffer, offset + 12);
                var nameBytes = buffer.AsSpan(offset + 16, length);
                var zero = nameBytes.IndexOf((byte)0);
                var name = Encoding.UTF8.GetString(zero >= 0 ? nameBytes[..zero] : nameBytes);
                offset += 16 + length;
                if ((mask & Native.InQueueOverflow) != 0)
                {
                    Interlocked.Increment(ref _overflows);
                    continue;
                }

                if ((mask & Native.InCreate) != 0 && name.EndsWith(TemporaryExtension, StringComparison.Ordinal) && Sequence(name, TemporaryExtension) is { } created)
                {
                    var fd = Native.Open(Path.Combine(_directory, name), Native.ORdOnly | Native.OCloExec);
                    if (fd < 0)
                    {
                        // Renamed already (still fine) or already deleted after its PUBACK (missed).
                        fd = Native.Open(Path.Combine(_directory, name[..^4]), Native.ORdOnly | Native.OCloExec);
                    }

                    if (fd >= 0)
                    {
                        _open[created] = fd;
                    }
                    else
                    {
                        _missed.TryAdd(created, 0);
                    }
                }
                else if ((mask & Native.InMovedTo) != 0 && name.EndsWith(Extension, StringComparison.Ordinal) && Sequence(name, Extension) is { } moved)
                {
                    InterlockedMax(ref _maxSequence, moved);
                    if (!_open.Remove(moved, out var fd))
                    {
                        fd = Native.Open(Path.Combine(_directory, name), Native.ORdOnly | Native.OCloExec);
                    }

                    if (fd < 0)
                    {
                        _missed.TryAdd(moved, 0);
                        continue;
                    }

                    try
                    {
                        if (Parse(ReadAll(fd)) is { } parsed)
                        {
                            _events[moved] = parsed;
                            _missed.TryRemove(moved, out _);
                        }
                        else
                        {
                            _missed.TryAdd(moved, 0);
                        }
                    }
                    finally
                    {
                        Native.Close(fd);
                    }
                }
            }
        }
    }

    private static long? Sequence(string name, string extension) =>
        long.TryParse(name.AsSpan(0, name.Length - extension.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence) ? sequence : null;

    private static byte[] ReadAll(int fd)
    {
        var result = new List<byte>(1024);
        var chunk = new byte[4096];
        long offset = 0;
        while (true)
        {
            var n = (int)Native.PRead(fd, chunk, (nuint)chunk.Length, offset);
            if (n <= 0)
            {
                return [.. result];
            }

            result.AddRange(chunk.AsSpan(0, n));
            offset += n;
        }
    }

    /// <summary>The outbox format: topic, camera id, capture time (ms), one line each, then the JSON payload.</summary>
    private static (string CameraId, string EventId)? Parse(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        var lines = text.Split('\n', 4);
        if (lines.Length < 4)
        {
            return null;
        }

        try
        {
            using var json = JsonDocument.Parse(lines[3]);
            var root = json.RootElement;
            var id = root.TryGetProperty("messageId", out var messageId) ? messageId.GetString() : root.GetProperty("eventId").GetString();
            return (lines[1], id ?? string.Empty);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    private static void InterlockedMax(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
        foreach (var fd in _open.Values)
        {
            Native.Close(fd);
        }

        _open.Clear();
        if (_inotify >= 0)
        {
            Native.Close(_inotify);
            _inotify = -1;
        }
    }
}
