using System.Security.Cryptography;
using RetailEdge.Delta.Storage;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Telemetry;
using RetailEdge.Delta;
using RetailEdge.Delta.Actions;
using DuckDB.NET.Data;
using RetailEdge.Lakehouse.Silver;

namespace RetailEdge.Lakehouse;

/// <summary>
/// Refines new bronze records into the silver tables (ARCHITECTURE.md §9): decode, validate,
/// check the device against reference.store, deduplicate on (device_id, module_id, journal_id, seq)
/// — a known key with other content is quarantined as seq_conflict, never dropped — record seq
/// gaps per journal in silver.batch, explode the sections, and quarantine every failure with its reason
/// and raw bytes. Each silver table records the bronze version it holds through a txn; the run's
/// range is fixed by those versions, and silver.batch (the dedup state) is committed last, so a
/// run interrupted between tables is redone for exactly the missing tables with the same result.
/// </summary>
public sealed partial class Refiner
{
    private readonly LakeContext _lake;
    private readonly RefinerOptions _options;
    private readonly ILogger _logger;

    public Refiner(LakeContext lake, RefinerOptions options, ILogger<Refiner> logger)
    {
        _lake = lake ?? throw new ArgumentNullException(nameof(lake));
        _options = (options ?? throw new ArgumentNullException(nameof(options))).Validate();
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    public async Task<RefineResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        var empty = new RefineResult(null, 0, 0, 0, 0, 0, new Dictionary<string, int>(), false);
        var bronze = _lake.Table(LakeTables.BronzeTelemetry);
        var bronzeSnapshot = await bronze.TryLoadAsync(cancellationToken).ConfigureAwait(false);
        if (bronzeSnapshot is null)
        {
            return empty;
        }
        var silver = new Dictionary<LakeTableDefinition, DeltaSnapshot?>();
        foreach (var definition in LakeTables.SilverTables)
        {
            silver[definition] = await _lake.Table(definition).TryLoadAsync(cancellationToken).ConfigureAwait(false);
        }
        long Progress(LakeTableDefinition d) => silver[d]?.TransactionVersion(_options.AppId) ?? -1;
        var low = LakeTables.SilverTables.Min(Progress);
        var high = LakeTables.SilverTables.Max(Progress);
        // an interrupted run is finished over its own range before anything new is read
        var target = low < high ? high : Math.Min(bronzeSnapshot.Version, low + _options.MaxBronzeCommits);
        if (target <= low)
        {
            return empty;
        }
        var adds = await bronze.AddedBetweenAsync(low, target, cancellationToken).ConfigureAwait(false);
        using var connection = _lake.Connect();
        var registry = await ReferenceLoader.ReadStoresByDeviceAsync(_lake, connection, cancellationToken).ConfigureAwait(false);
        var records = new List<BronzeRow>();
        {
            var sql = await bronze.SelectSqlAsync(adds, cancellationToken).ConfigureAwait(false);
            // properties only where the lander kept a malformed line's failure (no device): a good record's are never used here
            using var result = connection.Query(
                "SELECT enqueued_time, device_id, module_id, message_id, content_encoding, body, source_file, source_line, ingest_date, "
                + "CASE WHEN device_id IS NULL THEN properties END "
                + $"FROM ({sql}) ORDER BY ingest_date, source_file, source_line");
            while (result.Read())
            {
                records.Add(new BronzeRow(
                    result.IsDBNull(0) ? null : result.GetFieldValue<DateTimeOffset>(0),
                    result.IsDBNull(1) ? null : result.GetString(1),
                    result.IsDBNull(2) ? null : result.GetString(2),
                    result.IsDBNull(3) ? null : result.GetString(3),
                    result.IsDBNull(4) ? null : result.GetString(4),
                    result.IsDBNull(5) ? [] : result.GetBlob(5),
                    result.GetString(6),
                    result.GetInt64(7),
                    result.GetFieldValue<DateOnly>(8),
                    result.IsDBNull(9) ? null : result.GetString(9)));
            }
        }
        var known = await KnownBatchesAsync(connection, silver[LakeTables.Batch],
            records.Where(r => r.DeviceId is not null).Select(r => r.DeviceId!).Distinct(StringComparer.Ordinal).ToList(), cancellationToken).ConfigureAwait(false);
        using var bulk = new BulkSectionFiles(_lake.ScratchDirectory);
        var scans = _options.BulkDecode ? Scan(records, bulk, cancellationToken) : new ScannedBatch?[records.Count];
        var rows = LakeTables.SilverTables.ToDictionary(d => d, _ => new List<ISilverRow>());
        var accepted = new List<(int Record, string DeviceId, string ModuleId, long Seq, int StoreId)>();
        var bulkRows = new long[BulkBatchScanner.Sections.Count];
        var reasons = new Dictionary<string, int>(StringComparer.Ordinal);
        int batches = 0, duplicates = 0, quarantined = 0;
        void Quarantine(BronzeRow r, long? seq, string reason, string? detail)
        {
            rows[LakeTables.Quarantine].Add(new SilverQuarantineRow(r.DeviceId, r.ModuleId, seq, r.MessageId, reason, detail, r.Body, r.EnqueuedTime, r.SourceFile, r.SourceLine, r.IngestDate));
            reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
            quarantined++;
        }
        for (var index = 0; index < records.Count; index++)
        {
            var record = records[index];
            if (record.DeviceId is null)
            {
                // the lander recorded why in the line's properties (older bronze rows: no reason kept)
                var failure = RoutedLineFailure.TryParse(record.Properties);
                Quarantine(record, null, failure?.Reason ?? QuarantineReasons.MalformedRecord, Truncate(failure?.Detail ?? "routed line is not a routing record"));
                continue;
            }
            int? registeredStore = null;
            if (registry is not null)
            {
                if (!registry.TryGetValue(record.DeviceId, out var store))
                {
                    Quarantine(record, null, QuarantineReasons.UnregisteredDevice, $"device '{Truncate(record.DeviceId)}' is not in reference.store");
                    continue;
                }
                registeredStore = store;
            }
            if (record.ModuleId is null)
            {
                Quarantine(record, null, QuarantineReasons.MissingModule, "telemetry must come from a module identity");
                continue;
            }
            // a batch the bulk scan admitted is exploded by DuckDB; any other is decoded here, which gives the exact reason
            TelemetryBatch? batch = null;
            if (scans[index] is not { } header)
            {
                var decoded = TelemetryBatchCodec.Decode(record.Body, record.ContentEncoding);
                if (decoded.Batch is null)
                {
                    Quarantine(record, null, decoded.Reason ?? TelemetryReasonCodes.BadJson, Truncate(decoded.Detail));
                    continue;
                }
                batch = decoded.Batch;
                header = HeaderOf(batch);
            }
            if (registeredStore is { } expected && expected != header.StoreId)
            {
                Quarantine(record, header.Seq, QuarantineReasons.StoreMismatch, $"batch storeId {header.StoreId}, device registered for store {expected}");
                continue;
            }
            var key = (record.DeviceId, record.ModuleId, header.JournalId ?? string.Empty);
            if (!known.TryGetValue(key, out var state))
            {
                known[key] = state = new JournalState();
            }
            if (state.Hashes.TryGetValue(header.Seq, out var landedHash))
            {
                // a resend carries the same content; a null hash is a row from before hashes were kept
                if (landedHash is null || landedHash == header.Hash || landedHash == OtherHash(record, batch))
                {
                    duplicates++;
                }
                else
                {
                    Quarantine(record, header.Seq, QuarantineReasons.SeqConflict,
                        $"seq {header.Seq} of journal '{header.JournalId ?? "(none)"}' was landed with content {landedHash[..16]}, this one is {header.Hash[..16]}");
                    LogSeqConflict(_logger, record.DeviceId, record.ModuleId, header.JournalId, header.Seq, record.SourceFile, record.SourceLine);
                }
                continue;
            }
            state.Hashes[header.Seq] = header.Hash;
            var invalid = batch is null ? null : InvalidRow(batch);
            if (invalid is not null)
            {
                // the whole batch: its sections are additive partials of one another, half a batch is wrong figures
                state.Hashes.Remove(header.Seq);
                Quarantine(record, header.Seq, QuarantineReasons.InvalidRow + ":" + invalid.Split(':')[0], invalid);
                continue;
            }
            var gap = state.MaxSeq is { } max && header.Seq > max + 1 ? header.Seq - max - 1 : 0;
            state.MaxSeq = state.MaxSeq is { } m ? Math.Max(m, header.Seq) : header.Seq;
            var storeId = registeredStore ?? header.StoreId;
            if (batch is not null)
            {
                Explode(rows, record, batch, storeId);
            }
            else
            {
                accepted.Add((index, record.DeviceId, record.ModuleId, header.Seq, storeId));
                for (var section = 0; section < bulkRows.Length; section++)
                {
                    bulkRows[section] += header.SectionRows[section];
                }
            }
            rows[LakeTables.Batch].Add(new SilverBatchRow(record.DeviceId, record.ModuleId, header, storeId, record.EnqueuedTime, record.MessageId, gap, record.SourceFile, record.SourceLine));
            batches++;
        }
        long silverRows = 0;
        var pending = LakeTables.SilverTables.Where(d => Progress(d) < target).ToList(); // the others were committed by the interrupted run
        var lineage = pending.Count > 0 ? LineageTable(connection, accepted, records.Count) : null;
        try
        {
            var writes = new List<(LakeTableDefinition Definition, string? BulkSql, string? Expected, long Rows)>();
            foreach (var definition in pending)
            {
                var section = BulkBatchScanner.Sections.Select((spec, i) => (spec, i)).FirstOrDefault(p => p.spec.Table == definition);
                string? bulkSql = null;
                var tableRows = (long)rows[definition].Count;
                if (section.spec is not null && bulkRows[section.i] > 0)
                {
                    // the section's lines carry the record index: the accepted batches give them their lineage, looked up
                    // by position (a hash join would be built on the lines: DuckDB cannot estimate a CSV's row count)
                    bulkSql = "SELECT x.l.device_id AS device_id, x.l.module_id AS module_id, x.l.seq AS seq, x.l.store_id AS store_id, x.* EXCLUDE (r, l) "
                        + $"FROM (SELECT s.*, (SELECT by_record FROM {lineage})[s.r + 1] AS l FROM (" + bulk.ReadSql(section.i) + ") s) x WHERE x.l IS NOT NULL";
                    tableRows += bulkRows[section.i];
                }
                silverRows += tableRows;
                writes.Add((definition, bulkSql, ExpectedPartition(definition, rows[definition], bulkSql is null ? null : section.i, accepted, scans), tableRows));
            }
            // the tables are separate logs: written side by side, largest first, each on its own connection (one COPY
            // alone leaves part of the cores idle); silver.batch, the dedup state, only once every other table is committed
            var beforeBatch = writes.Where(w => w.Definition != LakeTables.Batch).OrderByDescending(w => w.Rows).ToList();
            await Parallel.ForEachAsync(beforeBatch, new ParallelOptions { MaxDegreeOfParallelism = _options.ParallelTableWrites, CancellationToken = cancellationToken },
                async (write, token) =>
                {
                    using var own = _lake.Connect();
                    await WriteRowsAsync(own, write.Definition, silver[write.Definition], rows[write.Definition], write.BulkSql, write.Expected, target, token)
                        .ConfigureAwait(false);
                }).ConfigureAwait(false);
            foreach (var write in writes.Where(w => w.Definition == LakeTables.Batch))
            {
                await WriteRowsAsync(connection, write.Definition, silver[write.Definition], rows[write.Definition], write.BulkSql, write.Expected, target, cancellationToken)
                    .ConfigureAwait(false);
            }
        }
        finally
        {
            if (lineage is not null)
            {
                connection.Execute($"DROP TABLE IF EXISTS {lineage}");
            }
        }
        LogRefined(_logger, low + 1, target, records.Count, batches, duplicates, quarantined);
        return new RefineResult(target, records.Count, batches, duplicates, quarantined, silverRows, reasons, target < bronzeSnapshot.Version)
        {
            BulkBatches = accepted.Count,
        };
    }

    /// <summary>What tells a resend from a conflicting batch: SHA-256 of the batch's canonical encoding (independent of gzip and of the routed form).</summary>
    public static string ContentHash(TelemetryBatch batch) => Convert.ToHexStringLower(SHA256.HashData(TelemetryBatchCodec.EncodeJson(batch)));

    private static void Explode(Dictionary<LakeTableDefinition, List<ISilverRow>> rows, BronzeRow record, TelemetryBatch batch, int storeId)
    {
        var lineage = new SilverLineage(record.DeviceId!, record.ModuleId!, batch.Seq, storeId);
        rows[LakeTables.ItemWindow].AddRange(batch.Items.Select(r => new SilverItemWindowRow(lineage, r)));
        rows[LakeTables.Basket].AddRange(batch.Baskets.Select(r => new SilverBasketRow(lineage, r)));
        rows[LakeTables.WeighingWindow].AddRange(batch.Weighings.Select(r => new SilverWeighingWindowRow(lineage, r)));
        rows[LakeTables.InventorySnapshot].AddRange(batch.Snapshots.Select(r => new SilverInventorySnapshotRow(lineage, r)));
        rows[LakeTables.InventoryPosition].AddRange(batch.Inventory.Select(r => new SilverInventoryPositionRow(lineage, r)));
        rows[LakeTables.Alert].AddRange(batch.Alerts.Select(r => new SilverAlertRow(lineage, r,
            JsonSerializer.Serialize(new Dictionary<string, string>(r.Detail), LakehouseJsonContext.Default.DictionaryStringString))));
    }

    /// <summary>The header of a batch decoded here, its hash the canonical <see cref="ContentHash"/>.</summary>
    private static ScannedBatch HeaderOf(TelemetryBatch batch) =>
        new(batch.StoreId, batch.JournalId, batch.Seq, batch.CreatedAt, batch.WindowSeconds,
            [batch.Items.Count, batch.Baskets.Count, batch.Weighings.Count, batch.Snapshots.Count, batch.Inventory.Count],
            batch.Alerts.Count, batch.Rejects.Count, null, ContentHash(batch));

    /// <summary>
    /// The body's other hash, asked only when the first differs from the landed one: the canonical
    /// hash of a bulk-scanned body, or the as-sent hash of a decoded one (the bulk scan's), so that a
    /// resend is recognised whichever path each copy took and whatever encoder wrote it.
    /// </summary>
    private static string? OtherHash(BronzeRow record, TelemetryBatch? decoded)
    {
        if (decoded is not null)
        {
            return BulkBatchScanner.TryScan(record.Body, record.ContentEncoding)?.Hash;
        }
        return TelemetryBatchCodec.Decode(record.Body, record.ContentEncoding).Batch is { } batch ? ContentHash(batch) : null;
    }

    /// <summary>An unknown change type or channel, described; null when every row is valid.</summary>
    private static string? InvalidRow(TelemetryBatch batch) =>
        batch.Items.FirstOrDefault(i => !ChangeTypes.All.Contains(i.ChangeType) || (i.Channel is not null && !Channels.IsKnown(i.Channel)))
            is { } badItem ? $"items: changeType '{Truncate(badItem.ChangeType)}' channel '{Truncate(badItem.Channel)}'"
        : batch.Baskets.FirstOrDefault(b => !Channels.IsKnown(b.Channel)) is { } badBasket ? $"baskets: channel '{Truncate(badBasket.Channel)}'"
        : null;

    /// <summary>
    /// The bulk scan, on every core: each body that qualifies gets its header and its section lines
    /// written for DuckDB; null entries take the per-batch path.
    /// </summary>
    private ScannedBatch?[] Scan(List<BronzeRow> records, BulkSectionFiles bulk, CancellationToken cancellationToken)
    {
        var scans = new ScannedBatch?[records.Count];
        Parallel.For(0, records.Count, new ParallelOptions { MaxDegreeOfParallelism = _options.DecodeThreads, CancellationToken = cancellationToken },
            bulk.OpenWriter,
            (index, _, writer) =>
            {
                var record = records[index];
                if (record.DeviceId is not null && record.ModuleId is not null
                    && BulkBatchScanner.TryScan(record.Body, record.ContentEncoding, index) is { } scan)
                {
                    writer.Write(scan.SectionLines!);
                    scans[index] = scan with { SectionLines = null };
                }
                return writer;
            },
            writer => writer.Dispose());
        return scans;
    }

    /// <summary>
    /// A table (returned: its name; every write's connection reads it) of one list with an entry per bronze
    /// record (list index = record index + 1): the lineage of a bulk-scanned batch that lands, NULL for every other record.
    /// </summary>
    private static string LineageTable(DuckDBConnection connection, List<(int Record, string DeviceId, string ModuleId, long Seq, int StoreId)> accepted, int records)
    {
        connection.Execute("CREATE OR REPLACE TEMP TABLE refine_accepted (r BIGINT, device_id VARCHAR, module_id VARCHAR, seq BIGINT, store_id INTEGER)");
        using (var appender = connection.CreateAppender("refine_accepted"))
        {
            foreach (var (record, device, module, seq, store) in accepted)
            {
                appender.CreateRow().AppendValue((long)record).AppendValue(device).AppendValue(module).AppendValue(seq).AppendValue(store).EndRow();
            }
        }
        var table = "refine_lineage_" + Guid.NewGuid().ToString("N");
        connection.Execute($"CREATE TABLE {table} AS SELECT list(CASE WHEN a.r IS NULL THEN NULL "
            + "ELSE {'device_id': a.device_id, 'module_id': a.module_id, 'seq': a.seq, 'store_id': a.store_id} END ORDER BY i.r) AS by_record "
            + $"FROM range(0, {records}) i(r) LEFT JOIN refine_accepted a ON a.r = i.r; DROP TABLE refine_accepted");
        return table;
    }

    /// <summary>The store-local calendar date: the date in the offset the timestamp carries (ARCHITECTURE.md §4).</summary>
    public static DateOnly LocalDate(DateTimeOffset value) => DateOnly.FromDateTime(value.DateTime);

    /// <summary>Commits one silver table: the rows exploded here plus, when given, those <paramref name="bulkSql"/> explodes in DuckDB.</summary>
    private async Task WriteRowsAsync(DuckDBConnection connection, LakeTableDefinition definition, DeltaSnapshot? snapshot, List<ISilverRow> rows, string? bulkSql,
        string? expectedPartition, long target, CancellationToken cancellationToken)
    {
        using var staged = StagedRows.Create(connection, definition, rows, static (cells, row) => row.AppendTo(cells));
        var txn = new TxnAction(_options.AppId, target, _lake.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        var source = bulkSql is null ? $"SELECT * FROM {staged.Table}" : $"SELECT * FROM {staged.Table}\nUNION ALL BY NAME\n(\n{bulkSql}\n)";
        await _lake.Table(definition).WriteAsync(connection, snapshot, source, LakeWriteMode.Append, null, [txn], null, "WRITE", cancellationToken,
            expectedPartitionValue: expectedPartition).ConfigureAwait(false);
    }

    /// <summary>
    /// The one partition (event date) every row of a table's write falls into, when the rows
    /// exploded here and the bulk section's scanned dates agree on one; else null (the common
    /// case, a day's batches, is then written as one file without partitioning the rows).
    /// </summary>
    private static string? ExpectedPartition(LakeTableDefinition definition, List<ISilverRow> rows, int? section,
        List<(int Record, string DeviceId, string ModuleId, long Seq, int StoreId)> accepted, ScannedBatch?[] scans)
    {
        if (definition.PartitionColumn is null)
        {
            return null;
        }
        string? only = null;
        bool Agrees(string? value)
        {
            only ??= value;
            return value is not null && value == only;
        }
        foreach (var row in rows)
        {
            if (!Agrees(LakeTable.PartitionValue(row.EventDate)))
            {
                return null;
            }
        }
        if (section is { } s)
        {
            foreach (var batch in accepted)
            {
                if (scans[batch.Record] is { } scan && scan.SectionRows[s] > 0 && !Agrees(scan.SectionDates?[s]))
                {
                    return null;
                }
            }
        }
        return only;
    }

    private async Task<Dictionary<(string, string, string), JournalState>> KnownBatchesAsync(DuckDBConnection connection, DeltaSnapshot? batchSnapshot, List<string> devices, CancellationToken cancellationToken)
    {
        var known = new Dictionary<(string, string, string), JournalState>();
        if (batchSnapshot is null || devices.Count == 0)
        {
            return known;
        }
        // files whose device_id range holds none of these devices are not read
        var sql = await _lake.Table(LakeTables.Batch).SelectSqlAsync(batchSnapshot.Files, cancellationToken,
            [DeltaFileFilter.In("device_id", devices)]).ConfigureAwait(false);
        var list = string.Join(", ", devices.Select(DuckDbSql.Literal));
        using var result = connection.Query($"SELECT device_id, module_id, coalesce(journal_id, ''), seq, content_hash FROM ({sql}) WHERE device_id IN ({list})");
        while (result.Read())
        {
            var key = (result.GetString(0), result.GetString(1), result.GetString(2));
            if (!known.TryGetValue(key, out var state))
            {
                known[key] = state = new JournalState();
            }
            var seq = result.GetInt64(3);
            state.Hashes[seq] = result.IsDBNull(4) ? null : result.GetString(4);
            state.MaxSeq = state.MaxSeq is { } max ? Math.Max(max, seq) : seq;
        }
        return known;
    }

    private static string? Truncate(string? value) =>
        value is null ? null : value.Length <= 200 ? value : new StringBuilder(value, 0, 200, 203).Append("...").ToString();

    [LoggerMessage(Level = LogLevel.Information, Message = "Refined bronze versions {From}..{To}: {Records} records, {Batches} batches, {Duplicates} duplicates, {Quarantined} quarantined")]
    private static partial void LogRefined(ILogger logger, long from, long to, int records, int batches, int duplicates, int quarantined);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Batch seq {Seq} of {Device}/{Module} journal {Journal} conflicts with the one already landed (different content); quarantined as seq_conflict from {File}:{Line}")]
    private static partial void LogSeqConflict(ILogger logger, string device, string module, string? journal, long seq, string file, long line);

    private sealed record BronzeRow(DateTimeOffset? EnqueuedTime, string? DeviceId, string? ModuleId, string? MessageId, string? ContentEncoding,
        byte[] Body, string SourceFile, long SourceLine, DateOnly IngestDate, string? Properties);

    /// <summary>The batches landed from one gateway journal: seq → content hash (null: landed before hashes were kept).</summary>
    private sealed class JournalState
    {
        public Dictionary<long, string?> Hashes { get; } = [];

        public long? MaxSeq { get; set; }
    }
}
