using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace RetailEdge.HubEmulator.EventHubs;

/// <summary>
/// One partition of the built-in endpoint: an append-only log of <see cref="StoredEvent"/>s in
/// segment files named <c>{first sequence number}-{first offset}.events</c> (one JSON line per
/// event), with the retained events also held in memory for readers. The offset of an event is
/// its byte position in the partition's log, so offsets grow with the bytes written, as in
/// Event Hubs. Every append reaches the file (and the OS) before it returns, so a restart, even
/// after the process is killed, finds every event that was appended. Retention deletes whole
/// segments, oldest first, once they are older than the retention age or the partition is over
/// its size limit; the segment being written is never deleted, so the next sequence number and
/// offset survive even when every event has expired. Thread-safe.
/// </summary>
public sealed partial class PartitionLog : IDisposable
{
    private const string SegmentExtension = ".events";
    private readonly string _directory;
    private readonly EventRetentionOptions _retention;
    private readonly ILogger _logger;
    private readonly object _gate = new();
    private readonly List<Segment> _segments = [];
    private readonly List<StoredEvent> _events = [];
    private TaskCompletionSource _appended = NewSignal();
    private FileStream? _writer;
    private long _nextSequenceNumber;
    private long _nextOffset;
    private long _totalBytes;
    private DateTimeOffset _lastEnqueuedTime = DateTimeOffset.MinValue;

    private PartitionLog(string partitionId, string directory, EventRetentionOptions retention, ILogger logger)
    {
        PartitionId = partitionId;
        _directory = directory;
        _retention = retention;
        _logger = logger;
    }

    public string PartitionId { get; }

    /// <summary>Opens (or creates) the partition's folder, reading every retained event; a torn last line from a crash is cut off.</summary>
    public static PartitionLog Open(string partitionId, string directory, EventRetentionOptions retention, ILogger logger)
    {
        Directory.CreateDirectory(directory);
        var log = new PartitionLog(partitionId, directory, retention, logger);
        log.Load();
        return log;
    }

    /// <summary>Appends a message; the event returned carries its sequence number, offset and enqueue time.</summary>
    /// <exception cref="IOException">the log file could not be written: the message is not in the partition</exception>
    public StoredEvent Append(Routing.RoutedMessage message, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(message);
        TaskCompletionSource signal;
        StoredEvent stored;
        lock (_gate)
        {
            // enqueue times never go backwards within a partition, so a time filter finds one start
            var enqueued = message.EnqueuedTime > _lastEnqueuedTime ? message.EnqueuedTime : _lastEnqueuedTime;
            stored = new StoredEvent
            {
                SequenceNumber = _nextSequenceNumber,
                Offset = _nextOffset,
                EnqueuedTime = enqueued,
                DeviceId = message.Source.DeviceId,
                ModuleId = message.Source.ModuleId,
                GenerationId = message.GenerationId,
                MessageId = message.MessageId,
                CorrelationId = message.CorrelationId,
                ContentType = message.ContentType,
                ContentEncoding = message.ContentEncoding,
                Properties = message.Properties,
                Body = message.Body.ToArray(),
            };
            var line = Serialize(stored);
            var segment = _segments[^1];
            if (segment.Count > 0 && (segment.Bytes + line.Length > _retention.SegmentBytes || enqueued - segment.FirstEnqueuedTime >= _retention.SegmentAge))
            {
                segment = Roll();
            }
            var writer = _writer ??= OpenWriter(segment);
            var start = writer.Position;
            try
            {
                writer.Write(line);
                writer.Flush();
            }
            catch (IOException)
            {
                // leave no partial line behind: the next append starts on a clean line
                writer.SetLength(start);
                throw;
            }
            if (segment.Count == 0)
            {
                segment.FirstEnqueuedTime = enqueued;
            }
            segment.Count++;
            segment.Bytes += line.Length;
            segment.LastEnqueuedTime = enqueued;
            _totalBytes += line.Length;
            _events.Add(stored);
            _nextSequenceNumber++;
            _nextOffset += line.Length;
            _lastEnqueuedTime = enqueued;
            signal = _appended;
            _appended = NewSignal();
        }
        signal.TrySetResult();
        return stored;
    }

    /// <summary>Up to <paramref name="max"/> retained events from <paramref name="sequenceNumber"/> on (from the first retained one when it has expired).</summary>
    public IReadOnlyList<StoredEvent> ReadFrom(long sequenceNumber, int max)
    {
        lock (_gate)
        {
            if (_events.Count == 0 || sequenceNumber >= _nextSequenceNumber || max <= 0)
            {
                return [];
            }
            var index = (int)Math.Max(0, sequenceNumber - _events[0].SequenceNumber);
            return _events.GetRange(index, Math.Min(max, _events.Count - index));
        }
    }

    /// <summary>Completes when an event with a sequence number of at least <paramref name="sequenceNumber"/> exists.</summary>
    public Task WaitForEventAsync(long sequenceNumber, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return sequenceNumber < _nextSequenceNumber ? Task.CompletedTask : _appended.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>The sequence number a receiver starting at <paramref name="position"/> reads first.</summary>
    public long StartOf(EventPosition position)
    {
        ArgumentNullException.ThrowIfNull(position);
        lock (_gate)
        {
            var first = _events.Count > 0 ? _events[0].SequenceNumber : _nextSequenceNumber;
            return position.Kind switch
            {
                EventPositionKind.Earliest => first,
                EventPositionKind.Latest => _nextSequenceNumber,
                EventPositionKind.SequenceNumber => Math.Clamp(position.Inclusive ? position.Value : position.Value + 1, first, _nextSequenceNumber),
                EventPositionKind.Offset => FirstWhere(e => position.Inclusive ? e.Offset >= position.Value : e.Offset > position.Value),
                EventPositionKind.EnqueuedTime => FirstWhere(e =>
                {
                    var ms = e.EnqueuedTime.ToUnixTimeMilliseconds();
                    return position.Inclusive ? ms >= position.Value : ms > position.Value;
                }),
                _ => throw new ArgumentOutOfRangeException(nameof(position)),
            };
        }
    }

    public PartitionInfo Info()
    {
        lock (_gate)
        {
            if (_events.Count == 0)
            {
                return new PartitionInfo(PartitionId, _nextSequenceNumber, _nextSequenceNumber - 1, _nextOffset - 1, _lastEnqueuedTime == DateTimeOffset.MinValue ? DateTimeOffset.UnixEpoch : _lastEnqueuedTime, IsEmpty: true);
            }
            var last = _events[^1];
            return new PartitionInfo(PartitionId, _events[0].SequenceNumber, last.SequenceNumber, last.Offset, last.EnqueuedTime, IsEmpty: false);
        }
    }

    /// <summary>Deletes the segments that are past the retention age or beyond the size limit; returns the events dropped.</summary>
    public int ApplyRetention(DateTimeOffset now)
    {
        lock (_gate)
        {
            var active = _segments[^1];
            if (active.Count > 0 && active.LastEnqueuedTime < now - _retention.MaxAge)
            {
                Roll();
            }
            var dropped = 0;
            while (_segments.Count > 1)
            {
                var oldest = _segments[0];
                if (oldest.LastEnqueuedTime >= now - _retention.MaxAge && _totalBytes <= _retention.MaxBytesPerPartition)
                {
                    break;
                }
                File.Delete(oldest.Path);
                _segments.RemoveAt(0);
                _events.RemoveRange(0, oldest.Count);
                _totalBytes -= oldest.Bytes;
                dropped += oldest.Count;
            }
            if (dropped > 0)
            {
                LogRetention(_logger, PartitionId, dropped);
            }
            return dropped;
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _writer?.Dispose();
            _writer = null;
        }
    }

    private long FirstWhere(Func<StoredEvent, bool> starts)
    {
        // events are ordered by offset and by enqueue time: binary search for the first that qualifies
        int low = 0, high = _events.Count;
        while (low < high)
        {
            var mid = (low + high) / 2;
            if (starts(_events[mid]))
            {
                high = mid;
            }
            else
            {
                low = mid + 1;
            }
        }
        return low < _events.Count ? _events[low].SequenceNumber : _nextSequenceNumber;
    }

    private Segment Roll()
    {
        _writer?.Dispose();
        _writer = null;
        var segment = new Segment(SegmentPath(_nextSequenceNumber, _nextOffset), _nextSequenceNumber, _nextOffset);
        File.WriteAllBytes(segment.Path, []);
        _segments.Add(segment);
        return segment;
    }

    private void Load()
    {
        var files = Directory.GetFiles(_directory, "*" + SegmentExtension)
            .Select(path => (path, parsed: TryParseName(path)))
            .Where(f => f.parsed is not null)
            .OrderBy(f => f.parsed!.Value.Sequence)
            .ToList();
        if (files.Count == 0)
        {
            Roll();
            return;
        }
        for (var i = 0; i < files.Count; i++)
        {
            var (path, parsed) = files[i];
            var segment = new Segment(path, parsed!.Value.Sequence, parsed.Value.Offset);
            _nextSequenceNumber = segment.FirstSequenceNumber;
            _nextOffset = segment.FirstOffset;
            LoadSegment(segment, isLast: i == files.Count - 1);
            _segments.Add(segment);
        }
    }

    private void LoadSegment(Segment segment, bool isLast)
    {
        var bytes = File.ReadAllBytes(segment.Path);
        var position = 0;
        while (position < bytes.Length)
        {
            var end = Array.IndexOf(bytes, (byte)'\n', position);
            StoredEvent? stored = null;
            if (end >= 0)
            {
                try
                {
                    stored = JsonSerializer.Deserialize(bytes.AsSpan(position, end - position), StoredEventJsonContext.Default.StoredEvent);
                }
                catch (JsonException)
                {
                    stored = null;
                }
            }
            if (stored is null || stored.SequenceNumber != _nextSequenceNumber || stored.Offset != _nextOffset)
            {
                LogTornSegment(_logger, PartitionId, segment.Path, position, bytes.Length - position);
                if (isLast)
                {
                    // a line cut short by a crash was never acknowledged: cut it off so appends go on after the last whole event
                    using var file = new FileStream(segment.Path, FileMode.Open, FileAccess.Write);
                    file.SetLength(position);
                }
                break;
            }
            var length = end + 1 - position;
            if (segment.Count == 0)
            {
                segment.FirstEnqueuedTime = stored.EnqueuedTime;
            }
            segment.Count++;
            segment.Bytes += length;
            segment.LastEnqueuedTime = stored.EnqueuedTime;
            _totalBytes += length;
            _events.Add(stored);
            _nextSequenceNumber++;
            _nextOffset += length;
            _lastEnqueuedTime = stored.EnqueuedTime;
            position = end + 1;
        }
    }

    private static FileStream OpenWriter(Segment segment) =>
        new(segment.Path, new FileStreamOptions { Mode = FileMode.Append, Access = FileAccess.Write, Share = FileShare.Read });

    private static byte[] Serialize(StoredEvent stored)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(stored, StoredEventJsonContext.Default.StoredEvent);
        var line = new byte[json.Length + 1];
        json.CopyTo(line, 0);
        line[^1] = (byte)'\n';
        return line;
    }

    private string SegmentPath(long sequenceNumber, long offset) =>
        Path.Combine(_directory, string.Create(CultureInfo.InvariantCulture, $"{sequenceNumber:D19}-{offset:D19}{SegmentExtension}"));

    private static (long Sequence, long Offset)? TryParseName(string path)
    {
        var parts = Path.GetFileNameWithoutExtension(path).Split('-');
        return parts.Length == 2
            && long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var sequence)
            && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            ? (sequence, offset)
            : null;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    [LoggerMessage(Level = LogLevel.Information, Message = "partition {PartitionId}: retention dropped {Count} events")]
    private static partial void LogRetention(ILogger logger, string partitionId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "partition {PartitionId}: segment {Path} has an unreadable or out-of-order line at byte {Position}; the {Bytes} bytes from there are not read")]
    private static partial void LogTornSegment(ILogger logger, string partitionId, string path, int position, int bytes);

    private sealed class Segment(string path, long firstSequenceNumber, long firstOffset)
    {
        public string Path { get; } = path;

        public long FirstSequenceNumber { get; } = firstSequenceNumber;

        public long FirstOffset { get; } = firstOffset;

        public int Count { get; set; }

        public long Bytes { get; set; }

        public DateTimeOffset FirstEnqueuedTime { get; set; }

        public DateTimeOffset LastEnqueuedTime { get; set; }
    }
}
