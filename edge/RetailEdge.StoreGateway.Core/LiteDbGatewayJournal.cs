using System.Globalization;
using LiteDB;
using RetailEdge.Contracts.Validation;

namespace RetailEdge.StoreGateway.Core;

/// <summary>
/// The gateway journal on LiteDB 5 (the store the design first named), for the measured comparison with
/// <see cref="GatewayJournal"/>: the same collections (events with a unique id, quarantine, outbox, meta,
/// reference data) as BSON documents. LiteDB 5.0.21 writes a commit's pages into its log file but does not
/// sync the file (the OS may still hold them when a power cut comes); so the log is given to LiteDB as a
/// stream of ours and synced (fsync) after every commit, before the caller is told it is durable.
/// LiteDB opens a file exclusively, so every journal instance of one folder in a process shares one
/// database; LiteDB is thread-safe and keeps a transaction per thread.
/// </summary>
public sealed class LiteDbGatewayJournal : IGatewayJournal
{
    public const string FileName = "gateway.litedb";

    private const string LogFileName = "gateway-log.litedb";
    private const int CheckpointPages = 1000;
    private const int LiteDbDiskFull = 28; // ENOSPC, carried as the IOException's HResult on Linux

    private static readonly Dictionary<string, SharedDatabase> Databases = new(StringComparer.Ordinal);
    private static readonly Lock DatabasesLock = new();

    private readonly SharedDatabase _shared;
    private readonly LiteDatabase _db;
    private readonly ILiteCollection<BsonDocument> _events;
    private readonly ILiteCollection<BsonDocument> _quarantine;
    private readonly ILiteCollection<BsonDocument> _outbox;
    private readonly ILiteCollection<BsonDocument> _meta;
    private readonly ILiteCollection<BsonDocument> _reference;
    private bool _disposed;

    public LiteDbGatewayJournal(string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        Directory.CreateDirectory(dataDirectory);
        Path = System.IO.Path.GetFullPath(System.IO.Path.Combine(dataDirectory, FileName));
        lock (DatabasesLock)
        {
            if (!Databases.TryGetValue(Path, out var shared))
            {
                shared = new SharedDatabase(Path, System.IO.Path.Combine(dataDirectory, LogFileName));
                Databases[Path] = shared;
            }
            shared.References++;
            _shared = shared;
        }
        _db = _shared.Database;
        _events = _db.GetCollection("events", BsonAutoId.Int64);
        _quarantine = _db.GetCollection("quarantine", BsonAutoId.Int64);
        _outbox = _db.GetCollection("outbox", BsonAutoId.Int64);
        _meta = _db.GetCollection("meta", BsonAutoId.Int64);
        _reference = _db.GetCollection("reference_data", BsonAutoId.Int64);
        lock (_shared)
        {
            if (!_shared.Prepared)
            {
                Write(() =>
                {
                    _events.EnsureIndex("eid", "$.eid", unique: true);
                    _outbox.EnsureIndex("sent", "$.sent");
                    // The first instance creates the id; later ones (and later starts) read it.
                    if (_meta.FindById("journal_id") is null)
                    {
                        _meta.Insert(new BsonDocument { ["_id"] = "journal_id", ["v"] = Guid.NewGuid().ToString("N") });
                    }
                    return true;
                });
                _shared.NextEventTag = _events.Find(Query.All("_id", Query.Descending), limit: 1).FirstOrDefault() is { } last ? last["_id"].AsInt64 + 1 : 1;
                _shared.Prepared = true;
            }
        }
        JournalId = GetMeta("journal_id")!;
    }

    public string Path { get; }

    public string JournalId { get; }

    public long NextSeq => long.TryParse(GetMeta("next_seq"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seq) ? seq : 1;

    /// <summary>Whether a LiteDB call failed in its storage or engine.</summary>
    public static bool IsStorageError(Exception exception) => exception is LiteException;

    public static bool IsDiskFullError(Exception exception) => exception is IOException { HResult: LiteDbDiskFull } || exception.InnerException is IOException { HResult: LiteDbDiskFull };

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        lock (DatabasesLock)
        {
            if (--_shared.References == 0)
            {
                Databases.Remove(Path);
                _shared.Dispose();
            }
        }
    }

    /// <summary>
    /// Copies the log into the data file once it holds LiteDB's own default of 1,000 pages (8 MB).
    /// LiteDB takes an exclusive lock for it, so writers wait meanwhile; every 250 ms (the engine's
    /// cadence for SQLite) that wait and the data file's sync came with every other commit.
    /// </summary>
    public long Checkpoint()
    {
        if (_shared.LogLength >= CheckpointPages * 8192L)
        {
            _db.Checkpoint();
        }
        return _shared.LogLength / 8192;
    }

    public void Append(IReadOnlyList<JournalEntry> entries, bool rejectNew)
    {
        ArgumentNullException.ThrowIfNull(entries);
        Write(() =>
        {
            long duplicates = 0, rejected = 0, dropped = 0;
            foreach (var entry in entries)
            {
                var at = entry.ReceivedAt.ToUnixTimeMilliseconds();
                if (entry.Validation.IsValid)
                {
                    var storeEvent = entry.Validation.Event!;
                    if (rejectNew)
                    {
                        entry.Outcome = new IngestOutcome(IngestStatus.Dropped, storeEvent.Id, "disk_budget", "the disk budget is exhausted and the drop policy is reject_new");
                        dropped++;
                        continue;
                    }
                    // Checked before inserting: a unique-index violation inside a LiteDB transaction leaves it unusable.
                    if (!_events.Exists(Query.EQ("eid", storeEvent.Id)))
                    {
                        var tag = _shared.NextEventTag;
                        _events.Insert(new BsonDocument
                        {
                            ["_id"] = tag, ["eid"] = storeEvent.Id, ["ts"] = storeEvent.Ts.ToUnixTimeMilliseconds(), ["at"] = at,
                            ["src"] = entry.Source, ["json"] = entry.Raw, ["seq"] = BsonValue.Null, ["alerts"] = false,
                        });
                        _shared.NextEventTag++;
                        entry.Tag = tag;
                        entry.Outcome = new IngestOutcome(IngestStatus.Accepted, storeEvent.Id, null, null);
                        continue;
                    }
                    entry.Outcome = new IngestOutcome(IngestStatus.Duplicate, storeEvent.Id, ReasonCodes.Duplicate, "an event with this id is already journaled");
                    duplicates++;
                }
                else
                {
                    entry.Outcome = new IngestOutcome(IngestStatus.Rejected, entry.Validation.EventId, entry.Validation.Reason, entry.Validation.Detail);
                    rejected++;
                }
                var detail = entry.Outcome.Detail;
                entry.Tag = _quarantine.Insert(new BsonDocument
                {
                    ["at"] = at, ["src"] = entry.Source, ["reason"] = entry.Outcome.Reason!,
                    ["detail"] = detail is null ? BsonValue.Null : detail.Length <= 512 ? detail : detail[..512],
                    ["eid"] = entry.Outcome.EventId is { } id ? id : BsonValue.Null, ["raw"] = entry.QuarantineSample, ["size"] = entry.RawSize,
                    ["sha"] = entry.RawSha256, ["seq"] = BsonValue.Null,
                }).AsInt64;
            }
            AddCounter("duplicates", duplicates);
            AddCounter("rejected", rejected + duplicates);
            AddCounter("dropped", dropped);
            return true;
        });
    }

    public void StoreSealed(IReadOnlyList<OutboxRecord> records, long nextSeq)
    {
        ArgumentNullException.ThrowIfNull(records);
        Write(() =>
        {
            foreach (var record in records)
            {
                _outbox.Insert(new BsonDocument
                {
                    ["_id"] = record.Sealed.Batch.Seq, ["alert"] = record.Sealed.IsAlert, ["created"] = record.Sealed.Batch.CreatedAt.ToUnixTimeMilliseconds(),
                    ["ce"] = record.ContentEncoding, ["body"] = record.Body, ["bill"] = record.BillableBytes, ["sent"] = BsonValue.Null,
                });
            }
            foreach (var record in records)
            {
                var seq = record.Sealed.Batch.Seq;
                Mark(_events, record.Sealed.EventTags, "seq", seq);
                Mark(_events, record.Sealed.AlertEventTags, "alerts", true);
                Mark(_quarantine, record.Sealed.RejectTags, "seq", seq);
            }
            SetMetaInTransaction("next_seq", nextSeq.ToString(CultureInfo.InvariantCulture));
            return true;
        });
    }

    public long Counter(string name) => long.TryParse(GetMeta("counter." + name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;

    public string? GetMeta(string key) => _meta.FindById(key)?["v"].AsString;

    public void SetMeta(string key, string value) => Write(() => SetMetaInTransaction(key, value));

    public void SaveReferenceData(string version, byte[] payload) =>
        Write(() => _reference.Upsert(new BsonDocument { ["_id"] = 1, ["version"] = version, ["payload"] = payload }));

    public (string Version, byte[] Payload)? LoadReferenceData() =>
        _reference.FindById(1) is { } document ? (document["version"].AsString, document["payload"].AsBinary) : null;

    public IEnumerable<JournaledEvent> ReadEvents()
    {
        foreach (var document in _events.Find(Query.All("_id", Query.Ascending)))
        {
            yield return new JournaledEvent(document["_id"].AsInt64, document["json"].AsBinary, DateTimeOffset.FromUnixTimeMilliseconds(document["at"].AsInt64),
                !document["seq"].IsNull, document["alerts"].AsBoolean);
        }
    }

    public IEnumerable<(long Tag, string Reason, byte[] Raw, DateTimeOffset ReceivedAt)> ReadUnsealedRejects()
    {
        foreach (var document in _quarantine.Find(Query.All("_id", Query.Ascending)))
        {
            if (document["seq"].IsNull)
            {
                yield return (document["_id"].AsInt64, document["reason"].AsString, document["raw"].AsBinary, DateTimeOffset.FromUnixTimeMilliseconds(document["at"].AsInt64));
            }
        }
    }

    public IReadOnlyList<QuarantinedEvent> ReadQuarantine() =>
        [.. _quarantine.Find(Query.All("_id", Query.Ascending)).Select(d => new QuarantinedEvent(d["reason"].AsString, d["eid"].IsNull ? null : d["eid"].AsString,
            d["raw"].AsBinary, d["size"].AsInt64, d["sha"].IsNull ? null : d["sha"].AsBinary))];

    public long CountEvents() => _events.LongCount();

    /// <summary>The files' length: LiteDB reuses freed pages but gives space back to the disk only through a rebuild.</summary>
    public long UsedBytes() => _shared.Length;

    /// <summary>
    /// Retention as <see cref="GatewayJournal.Maintain"/>; over budget it deletes what is delivered (sent
    /// batches, sealed events, summarised quarantine), whose pages LiteDB reuses. It never drops unsent
    /// batches: LiteDB's files do not shrink when documents go, so dropping could not bring them under a budget.
    /// </summary>
    public (long DroppedBatches, bool OverBudget) Maintain(DateTimeOffset now, TimeSpan retention, long budgetBytes, bool dropOldest)
    {
        var cutoff = (now - retention).ToUnixTimeMilliseconds();
        Write(() =>
        {
            _outbox.DeleteMany(Query.And(Query.Not("sent", BsonValue.Null), Query.LT("sent", cutoff)));
            _events.DeleteMany(Query.And(Query.Not("seq", BsonValue.Null), Query.LT("at", cutoff)));
            _quarantine.DeleteMany(Query.And(Query.Not("seq", BsonValue.Null), Query.LT("at", cutoff)));
            return true;
        });
        if (UsedBytes() <= budgetBytes)
        {
            return (0, false);
        }
        Write(() =>
        {
            _outbox.DeleteMany(Query.Not("sent", BsonValue.Null));
            _events.DeleteMany(Query.Not("seq", BsonValue.Null));
            _quarantine.DeleteMany(Query.Not("seq", BsonValue.Null));
            return true;
        });
        return (0, true);
    }

    public int MarkForReplay(long from, long to) => Write(() =>
    {
        var documents = _outbox.Find(Query.Between("_id", from, to)).ToList();
        foreach (var document in documents)
        {
            document["sent"] = BsonValue.Null;
        }
        return _outbox.Update(documents);
    });

    public OutboxMessageRow? NextUnsent(IReadOnlySet<long>? skip = null) =>
        _outbox.Find(Query.EQ("sent", BsonValue.Null))
            .Where(d => skip is null || !skip.Contains(d["_id"].AsInt64))
            .OrderByDescending(d => d["alert"].AsBoolean).ThenBy(d => d["_id"].AsInt64)
            .Select(ToRow).FirstOrDefault();

    public void MarkSent(long seq, DateTimeOffset at) => MarkSent([seq], at);

    public void MarkSent(IReadOnlyCollection<long> seqs, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(seqs);
        if (seqs.Count == 0)
        {
            return;
        }
        Write(() =>
        {
            foreach (var seq in seqs)
            {
                if (_outbox.FindById(seq) is { } document)
                {
                    document["sent"] = at.ToUnixTimeMilliseconds();
                    _outbox.Update(document);
                }
            }
            return SetMetaInTransaction("last_sent_at", at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
        });
    }

    public (long Count, DateTimeOffset? Oldest) Unsent()
    {
        long count = 0, oldest = long.MaxValue;
        foreach (var document in _outbox.Find(Query.EQ("sent", BsonValue.Null)))
        {
            count++;
            oldest = Math.Min(oldest, document["created"].AsInt64);
        }
        return (count, count == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(oldest));
    }

    public IReadOnlyList<OutboxMessageRow> ReadOutbox() => [.. _outbox.Find(Query.All("_id", Query.Ascending)).Select(ToRow)];

    private static OutboxMessageRow ToRow(BsonDocument d) =>
        new(d["_id"].AsInt64, d["alert"].AsBoolean, d["ce"].AsString, d["body"].AsBinary, DateTimeOffset.FromUnixTimeMilliseconds(d["created"].AsInt64), d["bill"].AsInt32);

    /// <summary>Sets <paramref name="field"/> on the documents with these ids (read, change, write back: LiteDB updates whole documents).</summary>
    private static void Mark(ILiteCollection<BsonDocument> collection, IReadOnlyList<long> tags, string field, BsonValue value)
    {
        if (tags.Count == 0)
        {
            return;
        }
        var sorted = tags.Order().ToArray();
        var first = sorted[0];
        for (var i = 1; i <= sorted.Length; i++)
        {
            if (i < sorted.Length && sorted[i] <= sorted[i - 1] + 1)
            {
                continue;
            }
            var documents = collection.Find(Query.Between("_id", first, sorted[i - 1])).ToList();
            foreach (var document in documents)
            {
                document[field] = value;
            }
            collection.Update(documents);
            if (i < sorted.Length)
            {
                first = sorted[i];
            }
        }
    }

    private bool SetMetaInTransaction(string key, string value) => _meta.Upsert(new BsonDocument { ["_id"] = key, ["v"] = value });

    private void AddCounter(string name, long delta)
    {
        if (delta != 0)
        {
            SetMetaInTransaction("counter." + name, (Counter(name) + delta).ToString(CultureInfo.InvariantCulture));
        }
    }

    /// <summary>One transaction, then the log synced: only then is the change durable through a power cut.</summary>
    private T Write<T>(Func<T> change)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        _db.BeginTrans();
        T result;
        try
        {
            result = change();
            _db.Commit();
        }
        catch
        {
            _db.Rollback();
            throw;
        }
        _shared.SyncLog();
        return result;
    }

    /// <summary>One LiteDB database over two files of ours (data and log), shared by the instances of one folder.</summary>
    private sealed class SharedDatabase : IDisposable
    {
        private readonly DurableFileStream _data;
        private readonly DurableFileStream _log;

        public SharedDatabase(string dataPath, string logPath)
        {
            _data = new DurableFileStream(dataPath);
            try
            {
                _log = new DurableFileStream(logPath);
                Database = new LiteDatabase(_data, logStream: _log)
                {
                    // Commits never copy the log into the data file (the engine's checkpointer does, as with SQLite).
                    CheckpointSize = 0,
                };
            }
            catch
            {
                _log?.Dispose();
                _data.Dispose();
                throw;
            }
        }

        public LiteDatabase Database { get; }

        public int References { get; set; }

        public bool Prepared { get; set; }

        public long NextEventTag { get; set; }

        public long Length
        {
            get
            {
                lock (_data)
                {
                    lock (_log)
                    {
                        return _data.Length + _log.Length;
                    }
                }
            }
        }

        public long LogLength
        {
            get
            {
                lock (_log)
                {
                    return _log.Length;
                }
            }
        }

        /// <summary>fsync of the log, under the lock LiteDB's own writes to that stream take.</summary>
        public void SyncLog()
        {
            lock (_log)
            {
                _log.Flush();
            }
        }

        public void Dispose()
        {
            Database.Dispose();
            _log.Dispose();
            _data.Dispose();
        }
    }

    /// <summary>
    /// A file whose Flush reaches the disk. LiteDB wraps a stream it is given in its own stream, whose
    /// Flush calls the plain Flush of ours: so its checkpoint's data-file flush (before it empties the
    /// log) would otherwise stop at the OS cache.
    /// </summary>
    private sealed class DurableFileStream(string path) : FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 8192, FileOptions.RandomAccess)
    {
        public override void Flush() => Flush(flushToDisk: true);
    }
}
