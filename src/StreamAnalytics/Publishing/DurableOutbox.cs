using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using StreamAnalytics.Configuration;
using StreamAnalytics.Observability;

namespace StreamAnalytics.Publishing;

/// <summary>
/// Events on disk, one file each, from before their first publish attempt until the broker's PUBACK.
/// A file is written to a temporary name, flushed, then renamed, so a crash leaves either the whole
/// event or none of it. Pending files are replayed in sequence order after a restart. When
/// <see cref="OutboxOptions.MaxEvents"/> is reached the oldest event is dropped, counted and logged.
/// </summary>
internal sealed partial class DurableOutbox : IDisposable
{
    private const string Extension = ".evt";
    private const string TemporaryExtension = ".tmp";

    private readonly string _directory;
    private readonly int _maxEvents;
    private readonly bool _flushToDisk;
    private readonly PipelineMetrics _metrics;
    private readonly ILogger _logger;
    private readonly LinkedList<OutboxEntry> _pending = new();
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _available = new(0);
    private long _nextSequence = 1;

    public DurableOutbox(OutboxOptions options, PipelineMetrics metrics, ILogger<DurableOutbox> logger)
    {
        _directory = Path.GetFullPath(options.Directory);
        _maxEvents = options.MaxEvents;
        _flushToDisk = options.Flush == "always";
        _metrics = metrics;
        _logger = logger;
        Directory.CreateDirectory(_directory);
        Load();
    }

    public string DirectoryPath => _directory;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Writes the event durably and queues it for sending.</summary>
    public OutboxEntry Append(string topic, string cameraId, DateTimeOffset lastCaptureTime, ReadOnlySpan<byte> payload)
    {
        long sequence;
        lock (_gate)
        {
            sequence = _nextSequence++;
        }

        var path = Path.Combine(_directory, sequence.ToString("D20", CultureInfo.InvariantCulture) + Extension);
        var temporary = path + TemporaryExtension;
        using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
        {
            stream.Write(Encoding.UTF8.GetBytes($"{topic}\n{cameraId}\n{lastCaptureTime.ToUnixTimeMilliseconds()}\n"));
            stream.Write(payload);
            stream.Flush(flushToDisk: _flushToDisk);
        }

        File.Move(temporary, path);
        var entry = new OutboxEntry(sequence, path, topic, cameraId, lastCaptureTime);
        OutboxEntry? dropped = null;
        lock (_gate)
        {
            _pending.AddLast(entry);
            if (_pending.Count > _maxEvents)
            {
                dropped = _pending.First!.Value;
                _pending.RemoveFirst();
            }

            _metrics.OutboxEvents.Set(_pending.Count);
            Signal();
        }

        if (dropped is not null)
        {
            TryDelete(dropped.Path);
            _metrics.OutboxDropped.Inc();
            LogDropped(dropped.CameraId, dropped.Sequence, _maxEvents);
        }

        return entry;
    }

    /// <summary>Waits for the oldest pending event without removing it.</summary>
    public async Task<OutboxEntry> PeekAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            lock (_gate)
            {
                if (_pending.First is { } first)
                {
                    return first.Value;
                }
            }

            await _available.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public static byte[] ReadPayload(OutboxEntry entry)
    {
        var bytes = File.ReadAllBytes(entry.Path);
        var newlines = 0;
        var index = 0;
        while (newlines < 3 && index < bytes.Length)
        {
            if (bytes[index++] == (byte)'\n')
            {
                newlines++;
            }
        }

        return bytes[index..];
    }

    /// <summary>The broker acknowledged <paramref name="entry"/>: forget it.</summary>
    public void Complete(OutboxEntry entry)
    {
        lock (_gate)
        {
            if (_pending.First?.Value == entry)
            {
                _pending.RemoveFirst();
            }
            else
            {
                _pending.Remove(entry);
            }

            _metrics.OutboxEvents.Set(_pending.Count);
        }

        TryDelete(entry.Path);
    }

    private void Load()
    {
        foreach (var leftover in Directory.EnumerateFiles(_directory, "*" + Extension + TemporaryExtension))
        {
            // Written but never renamed: the process died before the event's first publish attempt could be promised.
            TryDelete(leftover);
        }

        var entries = new List<OutboxEntry>();
        foreach (var path in Directory.EnumerateFiles(_directory, "*" + Extension))
        {
            if (!long.TryParse(Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out var sequence))
            {
                continue;
            }

            try
            {
                using var reader = new StreamReader(path, Encoding.UTF8);
                var topic = reader.ReadLine();
                var camera = reader.ReadLine();
                var captured = reader.ReadLine();
                if (topic is null || camera is null || !long.TryParse(captured, NumberStyles.Integer, CultureInfo.InvariantCulture, out var milliseconds))
                {
                    LogUnreadable(path);
                    continue;
                }

                entries.Add(new OutboxEntry(sequence, path, topic, camera, DateTimeOffset.FromUnixTimeMilliseconds(milliseconds)));
            }
            catch (IOException ex)
            {
                LogUnreadable(path + ": " + ex.Message);
            }
        }

        entries.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        foreach (var entry in entries)
        {
            _pending.AddLast(entry);
        }

        Signal();

        _nextSequence = entries.Count == 0 ? 1 : entries[^1].Sequence + 1;
        _metrics.OutboxEvents.Set(_pending.Count);
        if (entries.Count > 0)
        {
            LogReplaying(entries.Count, _directory);
        }
    }

    /// <summary>An auto-reset signal: at most one pending release, whatever the number of appends.</summary>
    private void Signal()
    {
        if (_available.CurrentCount == 0)
        {
            _available.Release();
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Gone already, or the disk is failing; either way it is no longer pending.
        }
    }

    public void Dispose() => _available.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox full ({Max} events): dropped the oldest pending event (camera {CameraId}, #{Sequence})")]
    private partial void LogDropped(string cameraId, long sequence, int max);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox: {Count} events from an earlier run are pending in {Directory}; sending them first")]
    private partial void LogReplaying(int count, string directory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbox: skipping unreadable file {Path}")]
    private partial void LogUnreadable(string path);
}
