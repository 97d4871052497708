using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using RetailEdge.Aggregation;
using RetailEdge.Contracts.Validation;

namespace RetailEdge.StoreGateway.Core;

/// <summary>
/// The gateway's SQLite journal (ARCHITECTURE.md §6): events (unique ids), quarantine, outbox
/// (sealed batches with their seq), settings, reference data and counters, in one file in WAL
/// mode with synchronous=FULL, so a committed transaction survives a power cut. One instance per
/// thread: the engine owns one, the uplink its own (WAL lets a reader run beside the writer).
/// </summary>
public sealed class GatewayJournal : IDisposable
{
    public const string FileName = "gateway.db";

    /// <summary>Whether a journal call failed because its disk is full (SQLITE_FULL).</summary>
    public static bool IsDiskFullError(Exception exception) => exception is SqliteException { SqliteErrorCode: 13 };

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS events(
          tag INTEGER PRIMARY KEY,
          id TEXT NOT NULL,
          ts INTEGER NOT NULL,
          received_at INTEGER NOT NULL,
          source TEXT NOT NULL,
          json BLOB NOT NULL,
          sealed_seq INTEGER,
          alerts_sealed INTEGER NOT NULL DEFAULT 0,
          id_hash INTEGER);
        CREATE INDEX IF NOT EXISTS events_unsealed ON events(tag) WHERE sealed_seq IS NULL;
        CREATE TABLE IF NOT EXISTS quarantine(
          tag INTEGER PRIMARY KEY,
          received_at INTEGER NOT NULL,
          source TEXT NOT NULL,
          reason TEXT NOT NULL,
          detail TEXT,
          event_id TEXT,
          raw BLOB NOT NULL,
          sealed_seq INTEGER,
          raw_size INTEGER,
          raw_sha256 BLOB);
        CREATE TABLE IF NOT EXISTS outbox(
          seq INTEGER PRIMARY KEY,
          is_alert INTEGER NOT NULL,
          created_at INTEGER NOT NULL,
          content_encoding TEXT NOT NULL,
          body BLOB NOT NULL,
          billable_bytes INTEGER NOT NULL,
          sent_at INTEGER);
        CREATE INDEX IF NOT EXISTS outbox_unsent ON outbox(is_alert DESC, seq) WHERE sent_at IS NULL;
        CREATE INDEX IF NOT EXISTS outbox_sent ON outbox(sent_at) WHERE sent_at IS NOT NULL;
        CREATE TABLE IF NOT EXISTS sealed_ranges(
          first_tag INTEGER PRIMARY KEY,
          last_tag INTEGER NOT NULL,
          seq INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS reference_data(id INTEGER PRIMARY KEY CHECK (id = 1), version TEXT NOT NULL, payload BLOB NOT NULL);
        """;

    private readonly SqliteConnection _connection;
    private readonly sqlite3 _db;
    // The per-event statements run through the SQLite API directly, prepared once and bound by index:
    // a command of the ADO.NET layer costs a reader, parameter lookups by name and several allocations
    // per row, which on the ingest path cost more than SQLite's own work.
    private sqlite3_stmt? _insertEvent;
    private sqlite3_stmt? _selectEventId;
    private sqlite3_stmt? _sealAlerts;
    private sqlite3_stmt? _sealRejects;
    private sqlite3_stmt? _insertSealedRange;
    private SqliteCommand? _insertQuarantine;
    private long _nextEventTag;
    // The id → tag lookup for duplicates (the id is the idempotency key, ARCHITECTURE.md §4); see EventIdIndex for why
    // in memory. Loaded by the first append: the uplink's and the checkpointer's connections never need it.
    private EventIdIndex? _ids;
    private readonly List<long> _candidates = [];
    private readonly List<(long Hash, long Tag)> _addedIds = [];
    // Lower bounds of received_at in events and quarantine (null: not known yet). Retention scans
    // those tables; while the oldest row is newer than the cutoff the scan cannot delete anything
    // and is skipped. Only this instance inserts events and quarantine rows (the engine's writer).
    private long? _oldestEventAt;
    private long? _oldestQuarantineAt;

    /// <param name="dataDirectory">folder of gateway.db</param>
    /// <param name="checkpointOnCommit">
    /// false for the engine's writer: its commits then never copy the WAL into the database (a
    /// checkpoint writes and syncs megabytes and would stall the acknowledgements of that group);
    /// the engine runs <see cref="Checkpoint"/> on another connection instead.
    /// </param>
    public GatewayJournal(string dataDirectory, bool checkpointOnCommit = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        Directory.CreateDirectory(dataDirectory);
        Path = System.IO.Path.Combine(dataDirectory, FileName);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        _connection.Open();
        // Opening an existing journal writes nothing, so that a gateway on a full disk can still open
        // it (drain-only): setting auto_vacuum rewrites the header even when unchanged, so it is set
        // only on a new file (where it must come before the first table), and WAL is asked for only
        // when not yet on. WAL + FULL: a commit is on disk when it returns.
        if (Scalar("PRAGMA page_count") is 0L)
        {
            Execute("PRAGMA auto_vacuum=INCREMENTAL;");
        }
        if (!string.Equals(Scalar("PRAGMA journal_mode") as string, "wal", StringComparison.OrdinalIgnoreCase))
        {
            Execute("PRAGMA journal_mode=WAL;");
        }
        Execute("PRAGMA synchronous=FULL;");
        Execute("PRAGMA busy_timeout=10000;");
        if (!checkpointOnCommit)
        {
            Execute("PRAGMA wal_autocheckpoint=0;");
            // When the WAL starts over, a file grown larger by a burst is cut back to this.
            Execute("PRAGMA journal_size_limit=67108864;");
        }
        Execute(Schema);
        // Journals from before bounded quarantine samples: raw held the whole event, size and hash were not kept.
        if (Scalar("SELECT count(*) FROM pragma_table_info('quarantine') WHERE name = 'raw_size'") is 0L)
        {
            Execute("ALTER TABLE quarantine ADD COLUMN raw_size INTEGER; ALTER TABLE quarantine ADD COLUMN raw_sha256 BLOB;");
        }
        EnsureEventIdHashes();
        JournalId = EnsureJournalId();
        _db = _connection.Handle!;
        // Past every sealed range too: a tag that retention freed must never be taken again while a range covers it.
        _nextEventTag = (long)Scalar("SELECT max((SELECT coalesce(max(tag), 0) FROM events), (SELECT coalesce(max(last_tag), 0) FROM sealed_ranges)) + 1")!;
    }

    public string Path { get; }

    /// <summary>Events in the duplicate lookup (every journaled event) and the bytes it holds.</summary>
    public (int Events, long Bytes) EventIds => (Ids.Count, Ids.Bytes);

    private EventIdIndex Ids => _ids ??= LoadEventIds();

    /// <summary>
    /// Journals from before the in-memory duplicate lookup had a unique index on the id and no id_hash: the hashes
    /// are added once, in one transaction (the old index stays, unused, as SQLite cannot drop it without copying the table).
    /// </summary>
    private void EnsureEventIdHashes()
    {
        const string HasIdHash = "SELECT count(*) FROM pragma_table_info('events') WHERE name = 'id_hash'";
        if (Scalar(HasIdHash) is 0L)
        {
            _connection.CreateFunction("event_id_hash", (string id) => EventIdIndex.HashOf(id), isDeterministic: true);
            // The engine's connections and the uplink's may open it at once: the first to take the write lock adds them.
            using var transaction = _connection.BeginTransaction(deferred: false);
            using (var check = Command(HasIdHash, transaction))
            using (var migrate = Command("ALTER TABLE events ADD COLUMN id_hash INTEGER; UPDATE events SET id_hash = event_id_hash(id);", transaction))
            {
                if (check.ExecuteScalar() is 0L)
                {
                    migrate.ExecuteNonQuery();
                }
            }
            transaction.Commit();
        }
        // In tag order: each commit appends to its last leaf, and opening reads the hashes without the events' bodies.
        Execute("CREATE INDEX IF NOT EXISTS events_id_hashes ON events(tag, id_hash);");
    }

    private EventIdIndex LoadEventIds()
    {
        var ids = new EventIdIndex();
        using var command = Command("SELECT tag, id_hash FROM events INDEXED BY events_id_hashes");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetInt64(1), reader.GetInt64(0));
        }
        return ids;
    }

    /// <summary>
    /// This journal's identity, made once when the journal is created and kept in it: batch seqs count
    /// within it, so a lost or re-imaged journal (seq restarting at 1) is a new journal to the cloud,
    /// not a replay of old seqs (ARCHITECTURE.md §5).
    /// </summary>
    public string JournalId { get; }

    private string EnsureJournalId()
    {
        if (GetMeta("journal_id") is { } existing)
        {
            return existing;
        }
        // INSERT ... DO NOTHING: the writer and the uplink open the same file; whoever comes first creates the id
        using (var insert = Command("INSERT INTO meta(key, value) VALUES('journal_id', $id) ON CONFLICT(key) DO NOTHING"))
        {
            insert.Parameters.AddWithValue("$id", Guid.NewGuid().ToString("N"));
            insert.ExecuteNonQuery();
        }
        return GetMeta("journal_id")!;
    }

    public void Dispose()
    {
        _insertEvent?.Dispose();
        _selectEventId?.Dispose();
        _insertSealedRange?.Dispose();
        _sealAlerts?.Dispose();
        _sealRejects?.Dispose();
        _insertQuarantine?.Dispose();
        _connection.Dispose();
    }

    /// <summary>
    /// Copies committed WAL frames into the database without blocking the writer (a passive
    /// checkpoint); once everything is copied, the next write starts the WAL from its beginning again.
    /// Returns the WAL frames still not copied. <paramref name="truncateWal"/> waits for the writer and readers
    /// instead and cuts the WAL file to zero bytes: a full disk needs the space a burst of writes (the deletions
    /// that make room, with their page moves) left in the WAL file, which otherwise keeps its size.
    /// </summary>
    public long Checkpoint(bool truncateWal = false)
    {
        using var command = Command(truncateWal ? "PRAGMA wal_checkpoint(TRUNCATE);" : "PRAGMA wal_checkpoint(PASSIVE);");
        using var reader = command.ExecuteReader();
        if (!reader.Read())
        {
            return 0;
        }
        WalFrames = reader.GetInt64(1);
        return WalFrames - reader.GetInt64(2);
    }

    /// <summary>Frames in the WAL at the last <see cref="Checkpoint"/> (how far it has grown since it last started over).</summary>
    public long WalFrames { get; private set; }

    /// <summary>
    /// Journals a group of events in one transaction (group commit). Valid events are inserted unless
    /// their id exists (duplicate → quarantine with reason duplicate); invalid ones go to quarantine.
    /// Fills <see cref="JournalEntry.Tag"/> and <see cref="JournalEntry.Outcome"/>.
    /// </summary>
    public void Append(IReadOnlyList<JournalEntry> entries, bool rejectNew)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var ids = Ids;
        using var transaction = _connection.BeginTransaction();
        // Tags are assigned here rather than read back (RETURNING costs a reader per row on the hot path).
        _insertEvent ??= PrepareRaw("INSERT INTO events(id, ts, received_at, source, json, tag, id_hash) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)");
        _insertQuarantine ??= Prepare("INSERT INTO quarantine(received_at, source, reason, detail, event_id, raw, raw_size, raw_sha256) VALUES($at, $source, $reason, $detail, $eid, $raw, $size, $sha) RETURNING tag",
            "$at", "$source", "$reason", "$detail", "$eid", "$raw", "$size", "$sha");
        _insertQuarantine.Transaction = transaction;
        long duplicates = 0, rejected = 0, dropped = 0;
        var added = _addedIds;
        added.Clear();
        try
        {
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
                    var hash = EventIdIndex.HashOf(storeEvent.Id);
                    if (!IsJournaled(storeEvent.Id, hash))
                    {
                        InsertEvent(storeEvent.Id, storeEvent.Ts.ToUnixTimeMilliseconds(), at, entry.Source, entry.Raw, _nextEventTag, hash);
                        ids.Add(hash, _nextEventTag);
                        added.Add((hash, _nextEventTag));
                        if (_oldestEventAt > at)
                        {
                            _oldestEventAt = at;
                        }
                        entry.Tag = _nextEventTag;
                        _nextEventTag++;
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
                var q = _insertQuarantine.Parameters;
                q[0].Value = at;
                q[1].Value = entry.Source;
                q[2].Value = entry.Outcome.Reason!;
                q[3].Value = (object?)Truncate(entry.Outcome.Detail, 512) ?? DBNull.Value;
                q[4].Value = (object?)entry.Outcome.EventId ?? DBNull.Value;
                q[5].Value = entry.QuarantineSample;
                q[6].Value = entry.RawSize;
                q[7].Value = entry.RawSha256;
                entry.Tag = (long)_insertQuarantine.ExecuteScalar()!;
                if (_oldestQuarantineAt > at)
                {
                    _oldestQuarantineAt = at;
                }
            }
            AddCounter("duplicates", duplicates, transaction);
            AddCounter("rejected", rejected + duplicates, transaction);
            AddCounter("dropped", dropped, transaction);
            transaction.Commit();
        }
        catch
        {
            // Rolled back: these events are not journaled, so a retry of them is no duplicate.
            foreach (var (hash, tag) in added)
            {
                ids.Remove(hash, tag);
            }
            throw;
        }
    }

    /// <summary>Whether an event with this id is journaled: the candidates of its hash, each id compared.</summary>
    private bool IsJournaled(string id, long hash)
    {
        Ids.CandidatesFor(hash, _candidates);
        if (_candidates.Count == 0)
        {
            return false;
        }
        _selectEventId ??= PrepareRaw("SELECT id FROM events WHERE tag = ?1");
        foreach (var tag in _candidates)
        {
            try
            {
                Check(raw.sqlite3_bind_int64(_selectEventId, 1, tag));
                if (raw.sqlite3_step(_selectEventId) == raw.SQLITE_ROW && string.Equals(raw.sqlite3_column_text(_selectEventId, 0).utf8_to_string(), id, StringComparison.Ordinal))
                {
                    return true;
                }
            }
            finally
            {
                raw.sqlite3_reset(_selectEventId);
            }
        }
        return false;
    }

    /// <summary>
    /// An event is sealed when its row says so (journals from before sealed ranges) or a sealed range
    /// covers its tag: the range whose first tag is the greatest at or below it (ranges never overlap).
    /// </summary>
    private const string IsSealedSql = "(events.sealed_seq IS NOT NULL OR coalesce((SELECT r.last_tag FROM sealed_ranges r WHERE r.first_tag <= events.tag ORDER BY r.first_tag DESC LIMIT 1) >= events.tag, 0))";

    /// <summary>
    /// Stores the batches of one seal and marks what they consumed, in one transaction: after a crash
    /// either all of it is there (and the events are not replayed) or none of it (and they are).
    /// Events are marked by range (one sealed_ranges row per run of consecutive tags), not row by row:
    /// a minute of a busy store is hundreds of thousands of events, and rewriting each of their rows
    /// (with its JSON) would hold the journal's write lock — and every acknowledgement — for seconds.
    /// </summary>
    public void StoreSealed(IReadOnlyList<OutboxRecord> records, long nextSeq) => StoreSealed(records, records, nextSeq);

    /// <summary>
    /// The last step of a seal stored in steps: inserts <paramref name="records"/> (the parts before were
    /// stored by <see cref="StoreSealedPart"/>) and, in the same transaction, marks what every batch of
    /// <paramref name="seal"/> consumed and moves next_seq past them, which makes the whole seal visible.
    /// </summary>
    public void StoreSealed(IReadOnlyList<OutboxRecord> records, IReadOnlyList<OutboxRecord> seal, long nextSeq)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(seal);
        using var transaction = _connection.BeginTransaction();
        InsertOutbox(records, transaction);
        // Tags of one batch are mostly consecutive (events of a window arrive together): one UPDATE per
        // run of consecutive tags instead of one per event.
        _insertSealedRange ??= PrepareRaw("INSERT INTO sealed_ranges(seq, first_tag, last_tag) VALUES(?1, ?2, ?3)");
        _sealAlerts ??= PrepareRaw("UPDATE events SET alerts_sealed = 1 WHERE tag BETWEEN ?2 AND ?3");
        _sealRejects ??= PrepareRaw("UPDATE quarantine SET sealed_seq = ?1 WHERE tag BETWEEN ?2 AND ?3");
        foreach (var record in seal)
        {
            var seq = record.Sealed.Batch.Seq;
            UpdateRuns(_insertSealedRange, seq, record.Sealed.EventTags);
            UpdateRuns(_sealAlerts, null, record.Sealed.AlertEventTags);
            UpdateRuns(_sealRejects, seq, record.Sealed.RejectTags);
        }
        SetMeta("next_seq", nextSeq.ToString(CultureInfo.InvariantCulture), transaction);
        transaction.Commit();
    }

    /// <summary>
    /// Stores some batches of a seal ahead of <see cref="StoreSealed"/>, in a transaction of their own,
    /// so that a seal of hundreds of batches never holds the write lock for long. Until the seal's last
    /// step moves next_seq past them they are invisible (the uplink and the counts only see seq &lt;
    /// next_seq) and a restart deletes them (<see cref="DeleteUnfinishedSeal"/>).
    /// </summary>
    public void StoreSealedPart(IReadOnlyList<OutboxRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        using var transaction = _connection.BeginTransaction();
        InsertOutbox(records, transaction);
        transaction.Commit();
    }

    /// <summary>Deletes batches of a seal that a crash interrupted (seq ≥ next_seq); returns how many.</summary>
    public int DeleteUnfinishedSeal() => ExecuteCount($"DELETE FROM outbox WHERE seq >= {NextSeqSql}");

    /// <summary>The stored next_seq: batches at or above it belong to a seal not finished yet.</summary>
    private const string NextSeqSql = "coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'next_seq'), 1)";

    private void InsertOutbox(IReadOnlyList<OutboxRecord> records, SqliteTransaction transaction)
    {
        // OR REPLACE: a row at or above next_seq is what an interrupted seal left (its seq is given again).
        using var insert = Command("INSERT OR REPLACE INTO outbox(seq, is_alert, created_at, content_encoding, body, billable_bytes) VALUES($seq, $alert, $at, $ce, $body, $bill)", transaction);
        foreach (var record in records)
        {
            insert.Parameters.AddWithValue("$seq", record.Sealed.Batch.Seq);
            insert.Parameters.AddWithValue("$alert", record.Sealed.IsAlert ? 1 : 0);
            insert.Parameters.AddWithValue("$at", record.Sealed.Batch.CreatedAt.ToUnixTimeMilliseconds());
            insert.Parameters.AddWithValue("$ce", record.ContentEncoding);
            insert.Parameters.AddWithValue("$body", record.Body);
            insert.Parameters.AddWithValue("$bill", record.BillableBytes);
            insert.ExecuteNonQuery();
            insert.Parameters.Clear();
        }
    }

    public long NextSeq => long.TryParse(GetMeta("next_seq"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seq) ? seq : 1;

    public long Counter(string name) => long.TryParse(GetMeta("counter." + name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;

    public string? GetMeta(string key)
    {
        using var command = Command("SELECT value FROM meta WHERE key = $key");
        command.Parameters.AddWithValue("$key", key);
        return command.ExecuteScalar() as string;
    }

    public void SetMeta(string key, string value) => SetMeta(key, value, null);

    public void SaveReferenceData(string version, byte[] payload)
    {
        using var command = Command("INSERT INTO reference_data(id, version, payload) VALUES(1, $v, $p) ON CONFLICT(id) DO UPDATE SET version = excluded.version, payload = excluded.payload");
        command.Parameters.AddWithValue("$v", version);
        command.Parameters.AddWithValue("$p", payload);
        command.ExecuteNonQuery();
    }

    public (string Version, byte[] Payload)? LoadReferenceData()
    {
        using var command = Command("SELECT version, payload FROM reference_data WHERE id = 1");
        using var reader = command.ExecuteReader();
        return reader.Read() ? (reader.GetString(0), (byte[])reader.GetValue(1)) : null;
    }

    /// <summary>Every journaled event in ingest order, for rebuilding state after a restart.</summary>
    public IEnumerable<JournaledEvent> ReadEvents()
    {
        using var command = Command($"SELECT tag, json, received_at, {IsSealedSql}, alerts_sealed FROM events ORDER BY tag");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return new JournaledEvent(reader.GetInt64(0), (byte[])reader.GetValue(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.GetBoolean(3), reader.GetInt64(4) != 0);
        }
    }

    /// <summary>Quarantined events not yet summarised in a sealed batch.</summary>
    public IEnumerable<(long Tag, string Reason, byte[] Raw, DateTimeOffset ReceivedAt)> ReadUnsealedRejects()
    {
        using var command = Command("SELECT tag, reason, raw, received_at FROM quarantine WHERE sealed_seq IS NULL ORDER BY tag");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            yield return (reader.GetInt64(0), reader.GetString(1), (byte[])reader.GetValue(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)));
        }
    }

    /// <summary>Quarantine rows (reason, event id, sample, size, hash) — for status, tests and support.</summary>
    public IReadOnlyList<QuarantinedEvent> ReadQuarantine()
    {
        using var command = Command("SELECT reason, event_id, raw, coalesce(raw_size, length(raw)), raw_sha256 FROM quarantine ORDER BY tag");
        using var reader = command.ExecuteReader();
        var rows = new List<QuarantinedEvent>();
        while (reader.Read())
        {
            rows.Add(new QuarantinedEvent(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), (byte[])reader.GetValue(2), reader.GetInt64(3),
                reader.IsDBNull(4) ? null : (byte[])reader.GetValue(4)));
        }
        return rows;
    }

    public long CountEvents() => (long)Scalar("SELECT count(*) FROM events")!;

    /// <summary>Bytes in use (pages minus free pages): what the disk budget limits.</summary>
    public long UsedBytes() => (long)Scalar("SELECT (page_count - freelist_count) * page_size FROM pragma_page_count(), pragma_freelist_count(), pragma_page_size()")!;

    /// <summary>
    /// Enforces retention and the disk budget (ARCHITECTURE.md §6) to the end, and gives the freed pages
    /// back to the file system. Returns the number of unsent batches dropped and whether the journal is
    /// still over budget.
    /// </summary>
    public (long DroppedBatches, bool OverBudget) Maintain(DateTimeOffset now, TimeSpan retention, long budgetBytes, bool dropOldest)
    {
        Retain(now, retention);
        var sweep = new BudgetSweep();
        var verdict = EnforceBudget(sweep, budgetBytes, dropOldest, timeLimit: null, giveSpaceBack: true);
        return (sweep.DroppedBatches, verdict == BudgetVerdict.OverBudget);
    }

    /// <summary>Retention: removes sent batches, sealed events and summarised quarantine rows older than the retention time.</summary>
    public void Retain(DateTimeOffset now, TimeSpan retention)
    {
        var cutoff = (now - retention).ToUnixTimeMilliseconds();
        ExecuteCount("DELETE FROM outbox WHERE sent_at IS NOT NULL AND sent_at < $cutoff", cutoff);
        if (!(_oldestEventAt >= cutoff))
        {
            if (DeleteEvents($"DELETE FROM events WHERE received_at < $cutoff AND {IsSealedSql}", cutoff) > 0)
            {
                PruneSealedRanges();
            }
            _oldestEventAt = (long?)Scalar("SELECT coalesce(min(received_at), 9223372036854775807) FROM events");
        }
        if (!(_oldestQuarantineAt >= cutoff))
        {
            ExecuteCount("DELETE FROM quarantine WHERE sealed_seq IS NOT NULL AND received_at < $cutoff", cutoff);
            _oldestQuarantineAt = (long?)Scalar("SELECT coalesce(min(received_at), 9223372036854775807) FROM quarantine");
        }
    }

    /// <summary>
    /// Deletes for the disk budget, in steps of a few thousand rows (each its own transaction), in order of
    /// least harm: sent batches, sealed events, summarised quarantine (from the first again if any has rows
    /// once they are passed), then (drop_oldest) the oldest unsent data batches and last unsent alerts. Every unsent batch dropped is counted in <paramref name="sweep"/>.
    /// With a <paramref name="timeLimit"/>, it stops after the step that passes it and returns
    /// <see cref="BudgetVerdict.Unfinished"/>: the caller calls again with the same sweep, which goes on
    /// where it stopped. <paramref name="giveSpaceBack"/> truncates freed pages off the file after each
    /// step (a full disk needs the space); otherwise they stay in the file for the next inserts, since the
    /// budget counts only pages in use and moving pages to truncate the file costs the writer time.
    /// </summary>
    public BudgetVerdict EnforceBudget(BudgetSweep sweep, long budgetBytes, bool dropOldest, TimeSpan? timeLimit, bool giveSpaceBack)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        var started = Stopwatch.GetTimestamp();
        var firstStep = true;
        var steps = timeLimit is null ? WholeSteps : SmallSteps;
        while (UsedBytes() > budgetBytes)
        {
            if (!firstStep && timeLimit is { } limit && Stopwatch.GetElapsedTime(started) >= limit)
            {
                return BudgetVerdict.Unfinished;
            }
            firstStep = false;
            if (sweep.Step < steps.Length)
            {
                var deleted = sweep.Step == SealedEventsStep ? DeleteEvents(steps[sweep.Step]) : ExecuteCount(steps[sweep.Step]);
                if (deleted > 0 && sweep.Step == SealedEventsStep)
                {
                    PruneSealedRanges();
                }
                if (deleted == 0)
                {
                    sweep.Step++;
                }
            }
            else if (HasDeliveredRows())
            {
                // Batches were acknowledged or events sealed after their step was passed (between turns):
                // delete those before calling the journal over budget, let alone dropping unsent data.
                sweep.Step = 0;
            }
            else
            {
                if (!dropOldest)
                {
                    return BudgetVerdict.OverBudget;
                }
                var n = ExecuteCount($"DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE sent_at IS NULL AND seq < {NextSeqSql} ORDER BY is_alert, seq LIMIT 20)");
                if (n == 0)
                {
                    return BudgetVerdict.OverBudget;
                }
                sweep.DroppedBatches += n;
                AddCounter("dropped", n, null);
            }
            if (giveSpaceBack)
            {
                GiveSpaceBack();
            }
        }
        if (giveSpaceBack)
        {
            GiveSpaceBack();
        }
        return BudgetVerdict.WithinBudget;
    }

    private const int SealedEventsStep = 1;

    /// <summary>
    /// Cuts freed pages off the file, and then the WAL: in WAL mode the smaller file only reaches the disk with a
    /// checkpoint, and the step's deletions and page moves sit in the WAL file until it is truncated. On a full disk,
    /// each step's frames would otherwise pile up in the WAL and take the space the step freed (and more).
    /// A busy or failed checkpoint is left to the next step or the checkpointer.
    /// </summary>
    private void GiveSpaceBack()
    {
        Execute("PRAGMA incremental_vacuum;");
        try
        {
            Checkpoint(truncateWal: true);
        }
        catch (SqliteException)
        {
            // busy, or no room yet to copy into the database file: nothing is lost, the WAL keeps every commit
        }
    }

    /// <summary>Whether any of the budget's steps has something to delete now.</summary>
    private bool HasDeliveredRows() =>
        (long)Scalar($"SELECT EXISTS (SELECT 1 FROM outbox WHERE sent_at IS NOT NULL) OR EXISTS (SELECT 1 FROM events WHERE {IsSealedSql}) OR EXISTS (SELECT 1 FROM quarantine WHERE sealed_seq IS NOT NULL)")! != 0;

    /// <summary>The budget's steps when time does not matter (a full disk, tests): fewer transactions.</summary>
    private static readonly string[] WholeSteps = BudgetSteps(batches: 200, rows: 2000);

    /// <summary>
    /// The budget's steps between group commits: a step is the least a turn does, and deleting 2,000 events
    /// (each also out of the id index, whose pages are scattered) or 200 sent batches (with their bodies'
    /// overflow pages) took 70–180 ms at 5,000 events/s on a loaded 2-core machine.
    /// </summary>
    private static readonly string[] SmallSteps = BudgetSteps(batches: 16, rows: 200);

    private static string[] BudgetSteps(int batches, int rows) =>
    [
        $"DELETE FROM outbox WHERE seq IN (SELECT seq FROM outbox WHERE sent_at IS NOT NULL ORDER BY sent_at, seq LIMIT {batches})",
        $"DELETE FROM events WHERE tag IN (SELECT tag FROM events WHERE {IsSealedSql} ORDER BY tag LIMIT {rows})",
        $"DELETE FROM quarantine WHERE tag IN (SELECT tag FROM quarantine WHERE sealed_seq IS NOT NULL ORDER BY tag LIMIT {rows})",
    ];

    /// <summary>Marks sealed batches in [from, to] unsent again (replay with their original seq); returns how many are still kept.</summary>
    public int MarkForReplay(long from, long to)
    {
        using var command = Command("UPDATE outbox SET sent_at = NULL WHERE seq BETWEEN $from AND $to");
        command.Parameters.AddWithValue("$from", from);
        command.Parameters.AddWithValue("$to", to);
        return command.ExecuteNonQuery();
    }

    /// <summary>The next batch to send: alerts first, then oldest seq first; <paramref name="skip"/>: batches sent but not yet marked (a full disk).</summary>
    public OutboxMessageRow? NextUnsent(IReadOnlySet<long>? skip = null)
    {
        using var command = Command($"SELECT seq, is_alert, content_encoding, body, created_at, billable_bytes FROM outbox WHERE sent_at IS NULL AND seq < {NextSeqSql} ORDER BY is_alert DESC, seq LIMIT $n");
        command.Parameters.AddWithValue("$n", (skip?.Count ?? 0) + 1);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (skip is null || !skip.Contains(reader.GetInt64(0)))
            {
                return new OutboxMessageRow(reader.GetInt64(0), reader.GetInt64(1) != 0, reader.GetString(2), (byte[])reader.GetValue(3), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), reader.GetInt32(5));
            }
        }
        return null;
    }

    /// <summary>Marks several acknowledged batches sent in one transaction (the uplink's acknowledgements, gathered).</summary>
    public void MarkSent(IReadOnlyCollection<long> seqs, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(seqs);
        if (seqs.Count == 0)
        {
            return;
        }
        using var transaction = _connection.BeginTransaction();
        using (var command = Command("UPDATE outbox SET sent_at = $at WHERE seq = $seq", transaction))
        {
            var atParameter = command.Parameters.AddWithValue("$at", at.ToUnixTimeMilliseconds());
            var seqParameter = command.Parameters.Add(new SqliteParameter { ParameterName = "$seq" });
            foreach (var seq in seqs)
            {
                seqParameter.Value = seq;
                command.ExecuteNonQuery();
            }
        }
        SetMeta("last_sent_at", at.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), transaction);
        transaction.Commit();
    }

    public (long Count, DateTimeOffset? Oldest) Unsent()
    {
        // Through the unsent index: by the seq range the planner would read every batch kept, sent ones
        // too, and this runs for the status twice a second on the writer.
        using var command = Command($"SELECT count(*), min(created_at) FROM outbox INDEXED BY outbox_unsent WHERE sent_at IS NULL AND seq < {NextSeqSql}");
        using var reader = command.ExecuteReader();
        reader.Read();
        return (reader.GetInt64(0), reader.IsDBNull(1) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)));
    }

    /// <summary>All stored batches (seq, is_alert, encoding, body, sent) in seq order — for tests, replay tooling and support.</summary>
    public IReadOnlyList<OutboxMessageRow> ReadOutbox()
    {
        using var command = Command($"SELECT seq, is_alert, content_encoding, body, created_at, billable_bytes FROM outbox WHERE seq < {NextSeqSql} ORDER BY seq");
        using var reader = command.ExecuteReader();
        var rows = new List<OutboxMessageRow>();
        while (reader.Read())
        {
            rows.Add(new OutboxMessageRow(reader.GetInt64(0), reader.GetInt64(1) != 0, reader.GetString(2), (byte[])reader.GetValue(3), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)), reader.GetInt32(5)));
        }
        return rows;
    }

    private void InsertEvent(string id, long ts, long receivedAt, string source, byte[] json, long tag, long idHash)
    {
        var statement = _insertEvent!;
        try
        {
            Check(raw.sqlite3_bind_text(statement, 1, id));
            Check(raw.sqlite3_bind_int64(statement, 2, ts));
            Check(raw.sqlite3_bind_int64(statement, 3, receivedAt));
            Check(raw.sqlite3_bind_text(statement, 4, source));
            Check(raw.sqlite3_bind_blob(statement, 5, json));
            Check(raw.sqlite3_bind_int64(statement, 6, tag));
            Check(raw.sqlite3_bind_int64(statement, 7, idHash));
            Step(statement);
        }
        finally
        {
            raw.sqlite3_reset(statement);
        }
    }

    /// <summary>Runs <paramref name="statement"/> (?1 = value, ?2..?3 = a tag range) once per run of consecutive tags.</summary>
    private void UpdateRuns(sqlite3_stmt statement, long? value, IReadOnlyList<long> tags)
    {
        if (tags.Count == 0)
        {
            return;
        }
        if (tags is TagRuns runs)
        {
            // A seal's event tags come as runs already (ascending and joined by the sealer; Merge again costs nothing then).
            foreach (var (from, to) in TagRuns.Merge([runs]).Runs)
            {
                StepRun(statement, value, from, to);
            }
            return;
        }
        // The sealer sorts a job's event tags before it is stored (off the writer); anything else is sorted here.
        if (tags is not long[] sorted || !IsSorted(sorted))
        {
            sorted = new long[tags.Count];
            for (var i = 0; i < sorted.Length; i++)
            {
                sorted[i] = tags[i];
            }
            Array.Sort(sorted);
        }
        var first = sorted[0];
        for (var i = 1; i <= sorted.Length; i++)
        {
            if (i < sorted.Length && sorted[i] <= sorted[i - 1] + 1)
            {
                continue;
            }
            StepRun(statement, value, first, sorted[i - 1]);
            if (i < sorted.Length)
            {
                first = sorted[i];
            }
        }
    }

    /// <summary>One run of tags, <paramref name="first"/> to <paramref name="last"/>, through a statement with ?1 value (if any), ?2 first, ?3 last.</summary>
    private void StepRun(sqlite3_stmt statement, long? value, long first, long last)
    {
        try
        {
            if (value is { } v)
            {
                Check(raw.sqlite3_bind_int64(statement, 1, v));
            }
            Check(raw.sqlite3_bind_int64(statement, 2, first));
            Check(raw.sqlite3_bind_int64(statement, 3, last));
            Step(statement);
        }
        finally
        {
            raw.sqlite3_reset(statement);
        }
    }

    private static bool IsSorted(long[] values)
    {
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] < values[i - 1])
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Ranges none of whose events are kept any more (retention and the budget deleted them) go too.</summary>
    private void PruneSealedRanges() =>
        Execute("DELETE FROM sealed_ranges WHERE NOT EXISTS (SELECT 1 FROM events WHERE events.tag BETWEEN sealed_ranges.first_tag AND sealed_ranges.last_tag)");

    private sqlite3_stmt PrepareRaw(string sql)
    {
        Check(raw.sqlite3_prepare_v2(_db, sql, out var statement));
        return statement;
    }

    private void Step(sqlite3_stmt statement)
    {
        var rc = raw.sqlite3_step(statement);
        if (rc != raw.SQLITE_DONE)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }

    private static string? Truncate(string? text, int max) => text is null || text.Length <= max ? text : text[..max];

    private void AddCounter(string name, long delta, SqliteTransaction? transaction)
    {
        if (delta == 0)
        {
            return;
        }
        using var command = Command("INSERT INTO meta(key, value) VALUES($k, $d) ON CONFLICT(key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + $d AS TEXT)", transaction);
        command.Parameters.AddWithValue("$k", "counter." + name);
        command.Parameters.AddWithValue("$d", delta);
        command.ExecuteNonQuery();
    }

    private void SetMeta(string key, string value, SqliteTransaction? transaction)
    {
        using var command = Command("INSERT INTO meta(key, value) VALUES($k, $v) ON CONFLICT(key) DO UPDATE SET value = excluded.value", transaction);
        command.Parameters.AddWithValue("$k", key);
        command.Parameters.AddWithValue("$v", value);
        command.ExecuteNonQuery();
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        foreach (var name in parameters)
        {
            command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
        return command;
    }

    private SqliteCommand Command(string sql, SqliteTransaction? transaction = null)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    private object? Scalar(string sql)
    {
        using var command = Command(sql);
        return command.ExecuteScalar();
    }

    private void Execute(string sql)
    {
        using var command = Command(sql);
        command.ExecuteNonQuery();
    }

    /// <summary>Runs a DELETE of events and takes them out of the duplicate lookup once it is committed.</summary>
    private int DeleteEvents(string sql, long? cutoff = null)
    {
        var deleted = new List<(long Tag, long Hash)>();
        using (var command = Command(sql + " RETURNING tag, id_hash"))
        {
            if (cutoff is { } value)
            {
                command.Parameters.AddWithValue("$cutoff", value);
            }
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                deleted.Add((reader.GetInt64(0), reader.GetInt64(1)));
            }
        }
        // Not loaded yet: it will be from what is left.
        foreach (var (tag, hash) in deleted)
        {
            _ids?.Remove(hash, tag);
        }
        return deleted.Count;
    }

    private int ExecuteCount(string sql, long? cutoff = null)
    {
        using var command = Command(sql);
        if (cutoff is { } value)
        {
            command.Parameters.AddWithValue("$cutoff", value);
        }
        return command.ExecuteNonQuery();
    }
}
