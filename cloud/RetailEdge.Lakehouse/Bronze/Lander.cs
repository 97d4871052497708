using System.Security.Cryptography;
using DuckDB.NET.Data;
using RetailEdge.Delta.Storage;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RetailEdge.Delta;
using RetailEdge.Delta.Actions;

namespace RetailEdge.Lakehouse;

/// <summary>
/// Lands routed files into bronze.telemetry exactly once (ARCHITECTURE.md §9): the names and
/// contents (length, SHA-256) of the files landed are tags of the add actions of the same commit,
/// and the commit carries a txn (appId, previous + 1), so a crash before the commit lands nothing
/// and a crash after it lands nothing twice; two landers racing on the same txn version cannot
/// both win (DELTA.md "txn"). A file whose name was landed but whose content changed is landed
/// again as a new content version, with a warning — only its lines after the landed content when
/// it was appended to — and the refiner's (device, module, journal, seq) deduplication keeps the
/// batches already landed from doubling, so new or conflicting ones are landed or quarantined,
/// never skipped silently. Files are streamed, one line at a time.
/// </summary>
public sealed partial class Lander
{
    /// <summary>Tag on bronze add actions: the <see cref="LandedFile"/> contents landed in that commit.</summary>
    public const string SourceContentsTag = "retailedge.sourceContents";

    private readonly LakeContext _lake;
    private readonly ITelemetrySource _source;
    private readonly LanderOptions _options;
    private readonly ILogger _logger;
    // files whose listing (length, time) differs from what was landed but whose content hash matched: not rehashed every poll
    private readonly Dictionary<(string Name, long Length, DateTimeOffset LastModified), string> _verified = [];
    // changed files whose landed content is a prefix of the new (a file a writer was still appending to): complete lines already landed
    private readonly Dictionary<string, long> _landedLines = new(StringComparer.Ordinal);
    // what the bronze snapshot last read holds
    private LandedSources? _landed;

    public Lander(LakeContext lake, ITelemetrySource source, LanderOptions options, ILogger<Lander> logger)
    {
        _lake = lake ?? throw new ArgumentNullException(nameof(lake));
        _source = source ?? throw new ArgumentNullException(nameof(source));
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Lands one commit's worth of new files; Files = 0 when nothing new was found.</summary>
    public async Task<LandResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        var bronze = _lake.Table(LakeTables.BronzeTelemetry);
        var snapshot = await bronze.TryLoadAsync(cancellationToken).ConfigureAwait(false);
        // read again only when bronze moved on: an idle poll parses no tags and queries no untagged files
        var sources = _landed is { } cached && cached.IsOf(snapshot)
            ? cached
            : _landed = await LandedSources.ReadAsync(_lake, bronze, snapshot, cancellationToken).ConfigureAwait(false);
        var landed = sources.Names;
        var contents = sources.Contents;
        var listed = await _source.ListAsync(cancellationToken).ConfigureAwait(false);
        var pending = new List<RoutedFile>();
        foreach (var file in listed)
        {
            if (!landed.Contains(file.Name) || await ChangedSinceLandedAsync(file, contents, cancellationToken).ConfigureAwait(false))
            {
                pending.Add(file);
            }
        }
        if (pending.Count == 0)
        {
            return new LandResult(0, 0, 0, null, false, null);
        }
        var batch = new List<RoutedFile>();
        long bytes = 0;
        foreach (var file in pending)
        {
            if (batch.Count > 0 && (batch.Count >= _options.MaxFilesPerCommit || bytes + file.Length > _options.MaxBytesPerCommit))
            {
                break;
            }
            batch.Add(file);
            bytes += file.Length;
        }
        var now = _lake.TimeProvider.GetUtcNow();
        var table = "land_" + Guid.NewGuid().ToString("N");
        using var connection = _lake.Connect();
        connection.Execute($"CREATE TABLE {table} ({LakeTables.BronzeTelemetry.DuckDbColumnList()})");
        long records = 0, malformed = 0;
        DateTimeOffset? oldest = null;
        var landing = new List<LandedFile>();
        try
        {
            using (var appender = connection.CreateAppender(table))
            {
                foreach (var file in batch)
                {
                    var stream = await _source.OpenReadAsync(file, cancellationToken).ConfigureAwait(false);
                    using var reading = new HashingReader(stream);
                    var skipLines = _landedLines.GetValueOrDefault(file.Name);
                    foreach (var record in RoutedRecordParser.Parse(reading, _options.MaxLineBytes))
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        if (record.Line <= skipLines)
                        {
                            continue; // landed with the file's earlier content: only records not seen before are landed again
                        }
                        string? properties = record.Properties;
                        if (record.Failure is { } failure)
                        {
                            malformed++;
                            properties = failure.ToJson();
                            LogMalformedLine(_logger, file.Name, record.Line, failure.Reason, record.Error ?? failure.Detail);
                        }
                        if (record.EnqueuedTime is { } enqueued && (oldest is null || enqueued < oldest))
                        {
                            oldest = enqueued;
                        }
                        appender.CreateRow().AppendValue(record.EnqueuedTime).AppendValue(now).AppendValue(record.DeviceId).AppendValue(record.ModuleId)
                            .AppendValue(record.MessageId).AppendValue(record.ContentType).AppendValue(record.ContentEncoding).AppendValue(properties)
                            .AppendValue(record.Body).AppendValue(file.Name).AppendValue(record.Line).AppendValue(DateOnly.FromDateTime(now.UtcDateTime))
                            .AppendNullValue().AppendNullValue().AppendNullValue() // a routed record has no Event Hubs position
                            .EndRow();
                        records++;
                    }
                    var landedFile = new LandedFile(file.Name, reading.BytesRead, file.LastModified, reading.Sha256());
                    if (contents.TryGetValue(file.Name, out var earlier))
                    {
                        LogChangedFile(_logger, file.Name, earlier[^1].Length, earlier[^1].Sha256, landedFile.Length, landedFile.Sha256);
                    }
                    landing.Add(landedFile);
                }
            }
            var previous = snapshot?.TransactionVersion(_options.AppId) ?? 0;
            var tags = new Dictionary<string, string?>
            {
                [LakeTable.SourceFilesTag] = JsonSerializer.Serialize(batch.Select(f => f.Name).Distinct().ToArray(), LakehouseJsonContext.Default.StringArray),
                [SourceContentsTag] = JsonSerializer.Serialize(landing.ToArray(), LakehouseJsonContext.Default.LandedFileArray),
            };
            var version = await bronze.WriteAsync(connection, snapshot, $"SELECT * FROM {table}", LakeWriteMode.AppendKeepEmpty, null,
                [new TxnAction(_options.AppId, previous + 1, now.ToUnixTimeMilliseconds())], tags, "WRITE", cancellationToken,
                emptyPartitionValue: LakeTable.PartitionValue(DateOnly.FromDateTime(now.UtcDateTime))).ConfigureAwait(false);
            LogLanded(_logger, batch.Count, records, malformed, version);
            return new LandResult(batch.Count, records, malformed, version, pending.Count > batch.Count, oldest is null ? null : now - oldest.Value);
        }
        finally
        {
            connection.Execute($"DROP TABLE IF EXISTS {table}");
        }
    }

    /// <summary>
    /// Whether a file whose name was landed now holds other content: same length and time as a landed
    /// version is the same file; otherwise its hash decides (and a match is remembered, not rehashed).
    /// </summary>
    private async Task<bool> ChangedSinceLandedAsync(RoutedFile file, IReadOnlyDictionary<string, List<LandedFile>> contents, CancellationToken cancellationToken)
    {
        if (!contents.TryGetValue(file.Name, out var versions))
        {
            return false; // landed before contents were recorded: known by name only
        }
        if (versions.Any(v => v.Length == file.Length && v.LastModified == file.LastModified)
            || _verified.ContainsKey((file.Name, file.Length, file.LastModified)))
        {
            return false;
        }
        var latest = versions.MaxBy(v => v.Length)!;
        var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var prefix = latest.Length < file.Length ? IncrementalHash.CreateHash(HashAlgorithmName.SHA256) : null;
        long read = 0, prefixLines = 0;
        var buffer = new byte[81920];
        var stream = await _source.OpenReadAsync(file, cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        using (hash)
        using (prefix)
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                hash.AppendData(buffer, 0, n);
                if (prefix is not null && read < latest.Length)
                {
                    var inPrefix = (int)Math.Min(n, latest.Length - read);
                    prefix.AppendData(buffer, 0, inPrefix);
                    prefixLines += buffer.AsSpan(0, inPrefix).Count((byte)'\n');
                }
                read += n;
            }
            var sha = Convert.ToHexStringLower(hash.GetHashAndReset());
            if (versions.Any(v => v.Sha256 == sha))
            {
                _verified[(file.Name, file.Length, file.LastModified)] = sha;
                return false;
            }
            // appended to since it was landed: its complete lines then are not landed again (a cut last line is: it was quarantined)
            if (prefix is not null && Convert.ToHexStringLower(prefix.GetHashAndReset()) == latest.Sha256)
            {
                _landedLines[file.Name] = prefixLines;
            }
            else
            {
                _landedLines.Remove(file.Name);
            }
        }
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Malformed routed record {File}:{Line} ({Reason}): {Error}; landed raw, will be quarantined")]
    private static partial void LogMalformedLine(ILogger logger, string file, long line, string reason, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Routed file {File} changed after it was landed ({OldLength} bytes sha256 {OldHash} → {NewLength} bytes sha256 {NewHash}); landing it again (only lines after its landed content when it was appended to): batches already landed are deduplicated, new ones landed, conflicting ones quarantined")]
    private static partial void LogChangedFile(ILogger logger, string file, long oldLength, string oldHash, long newLength, string newHash);

    /// <summary>
    /// Reads a routed file through, counting and hashing its bytes: the content as landed (length,
    /// SHA-256), whatever the listing said. Disposes the file's stream.
    /// </summary>
    private sealed class HashingReader(Stream inner) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _read;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        /// <summary>The bytes read so far (the file's length once it was read to its end).</summary>
        public long BytesRead => _read;

        /// <summary>The SHA-256 of the bytes read so far (the whole file once it was read to its end).</summary>
        public string Sha256() => Convert.ToHexStringLower(_hash.GetCurrentHash());

        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            _hash.AppendData(buffer, offset, read);
            _read += read;
            return read;
        }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
                inner.Dispose();
            }
            base.Dispose(disposing);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Landed {Files} routed files, {Records} records ({Malformed} malformed) into bronze.telemetry version {Version}")]
    private static partial void LogLanded(ILogger logger, int files, long records, long malformed, long? version);
}
