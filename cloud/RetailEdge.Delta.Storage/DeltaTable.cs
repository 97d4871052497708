using System.Globalization;
using RetailEdge.Delta.Actions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using DuckDB.NET.Data;

namespace RetailEdge.Delta.Storage;

/// <summary>
/// A Delta table on a log store, written and read through DuckDB: create, write (append,
/// overwrite, partition overwrite, idempotent txn), read a snapshot as SQL, optimize, vacuum,
/// history. Thread-safe: every operation loads what it needs; DuckDB connections are the caller's.
/// </summary>
public sealed class DeltaTable
{
    private readonly DeltaTableOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly DeltaLogWriter _writer;
    private readonly ILogger _logger;

    private DeltaTable(IDeltaLogStore store, DuckDBConnection database, TimeProvider timeProvider, DeltaTableOptions options, ILogger logger)
    {
        Store = store;
        _logger = logger;
        _options = options;
        _timeProvider = timeProvider;
        Checkpoints = new DuckDbCheckpointCodec(database, options.ScratchDirectory);
        Log = new DeltaLogReader(store, Checkpoints, timeProvider, options.Log);
        _writer = new DeltaLogWriter(Log, Checkpoints, timeProvider, options.Log);
    }

    public IDeltaLogStore Store { get; }

    public DeltaLogReader Log { get; }

    public ICheckpointCodec Checkpoints { get; }

    /// <summary>A handle on the table at <paramref name="store"/>; does no I/O (the table may not exist yet).</summary>
    public static DeltaTable Open(IDeltaLogStore store, DuckDBConnection database, TimeProvider? timeProvider = null, DeltaTableOptions? options = null,
        ILogger<DeltaTable>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(database);
        return new DeltaTable(store, database, timeProvider ?? TimeProvider.System, (options ?? DeltaTableOptions.Default).Validate(),
            (ILogger?)logger ?? NullLogger.Instance);
    }

    public async Task<bool> ExistsAsync(CancellationToken cancellationToken) =>
        await Log.LatestVersionAsync(cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>The snapshot at <paramref name="version"/> (null = latest).</summary>
    public Task<DeltaSnapshot> GetSnapshotAsync(long? version, CancellationToken cancellationToken) =>
        Log.LoadAsync(version, cancellationToken);

    /// <summary>Creates the table (version 0: protocol 1/2, metaData); fails when it exists.</summary>
    public async Task<DeltaSnapshot> CreateAsync(DeltaSchema schema, IReadOnlyList<string> partitionColumns,
        IReadOnlyDictionary<string, string?>? configuration, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(partitionColumns);
        var partitions = new List<string>();
        foreach (var column in partitionColumns)
        {
            var field = schema.Find(column) ?? throw new DeltaException($"partition column '{column}' is not in the schema");
            if (!field.Type.IsPrimitive || field.Type.Name == "binary")
            {
                throw new DeltaException($"partition column '{column}' has type {field.Type}; only primitive non-binary columns can partition");
            }
            partitions.Add(field.Name);
        }
        if (partitions.Count == schema.Fields.Count)
        {
            throw new DeltaException("at least one column must not be a partition column");
        }
        var metadata = new MetadataAction(
            Guid.NewGuid().ToString(),
            schema.ToJsonString(),
            partitions,
            configuration ?? new Dictionary<string, string?>(),
            _timeProvider.GetUtcNow().ToUnixTimeMilliseconds());
        var transaction = new DeltaTransaction(null, "CREATE TABLE", new Dictionary<string, string>
        {
            ["partitionBy"] = System.Text.Json.JsonSerializer.Serialize(partitions),
        });
        transaction.Add(ProtocolAction.Default).Add(metadata);
        await _writer.CommitAsync(transaction, cancellationToken).ConfigureAwait(false);
        return await GetSnapshotAsync(0, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The latest snapshot, creating the table first when it has no log.</summary>
    public async Task<DeltaSnapshot> CreateIfNotExistsAsync(DeltaSchema schema, IReadOnlyList<string> partitionColumns,
        IReadOnlyDictionary<string, string?>? configuration, CancellationToken cancellationToken)
    {
        if (await ExistsAsync(cancellationToken).ConfigureAwait(false))
        {
            return await GetSnapshotAsync(null, cancellationToken).ConfigureAwait(false);
        }
        try
        {
            return await CreateAsync(schema, partitionColumns, configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (DeltaConflictException)
        {
            // created concurrently by another writer: use theirs
            return await GetSnapshotAsync(null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Writes the rows of <paramref name="sourceSql"/> (a query or relation on <paramref name="connection"/>;
    /// columns matched by name and cast to the table schema) and commits them.
    /// </summary>
    public async Task<DeltaWriteResult> WriteAsync(DuckDBConnection connection, string sourceSql, DeltaWriteOptions? options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentException.ThrowIfNullOrWhiteSpace(sourceSql);
        options ??= DeltaWriteOptions.Append;
        options.Validate();
        var snapshot = await GetSnapshotAsync(null, cancellationToken).ConfigureAwait(false);
        DeltaProtocolSupport.EnsureWritable(snapshot.Protocol, snapshot.Metadata);
        if (options.AppId is not null && snapshot.TransactionVersion(options.AppId) >= options.AppVersion)
        {
            DeltaTableLog.WriteSkipped(_logger, Store.Location, options.AppId, options.AppVersion!.Value);
            return new DeltaWriteResult(null, true, 0, [], 0, 0);
        }
        var files = new DataFileWriter(Store, Scratch, _timeProvider);
        try
        {
            var adds = await files.WriteAsync(connection, sourceSql, snapshot.Schema, snapshot.PartitionColumns, dataChange: true, cancellationToken).ConfigureAwait(false);
            var rows = adds.Sum(a => a.ParsedStats?.NumRecords ?? 0);
            var transaction = new DeltaTransaction(snapshot, options.Operation, new Dictionary<string, string>
            {
                ["mode"] = options.Mode.ToString(),
                ["partitionBy"] = System.Text.Json.JsonSerializer.Serialize(snapshot.PartitionColumns),
            });
            transaction.AddRange(adds);
            var removed = Removals(snapshot, options, adds, transaction);
            if (options.AppId is not null)
            {
                transaction.Add(new TxnAction(options.AppId, options.AppVersion!.Value, _timeProvider.GetUtcNow().ToUnixTimeMilliseconds()));
            }
            if (transaction.Actions.Count == 0)
            {
                // nothing to add, remove or record: an empty append is not a commit
                return new DeltaWriteResult(null, false, 0, [], 0, 0);
            }
            transaction.Metrics["numFiles"] = adds.Count;
            transaction.Metrics["numOutputRows"] = rows;
            transaction.Metrics["numOutputBytes"] = adds.Sum(a => a.Size);
            transaction.Metrics["numRemovedFiles"] = removed;
            var result = await _writer.CommitAsync(transaction, cancellationToken).ConfigureAwait(false);
            if (result.Skipped)
            {
                DeltaTableLog.WriteSkipped(_logger, Store.Location, options.AppId!, options.AppVersion!.Value);
                await files.DeleteWrittenAsync(cancellationToken).ConfigureAwait(false);
                return new DeltaWriteResult(null, true, 0, [], 0, result.Attempts);
            }
            DeltaTableLog.Committed(_logger, Store.Location, result.Version!.Value, adds.Count, rows, removed, result.Attempts);
            if (result.CheckpointError is not null)
            {
                DeltaTableLog.CheckpointFailed(_logger, Store.Location, result.Version.Value, result.CheckpointError);
            }
            return new DeltaWriteResult(result.Version, false, rows, adds, removed, result.Attempts);
        }
        catch (DeltaException)
        {
            // nothing references the files: remove them now rather than leave them to vacuum
            await files.DeleteWrittenAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The snapshot's rows as a SELECT statement for <paramref name="connection"/>, reading only files <paramref name="filters"/> cannot rule out.</summary>
    public Task<string> BuildSelectAsync(DuckDBConnection connection, DeltaSnapshot snapshot, CancellationToken cancellationToken,
        IReadOnlyList<DeltaFileFilter>? filters = null) =>
        DeltaTableReader.BuildSelectAsync(connection, snapshot, Store, _options.ScratchDirectory, cancellationToken, filters);

    /// <summary>Creates a temporary view named <paramref name="viewName"/> over the rows at <paramref name="version"/> (null = latest).</summary>
    public async Task<DeltaSnapshot> CreateViewAsync(DuckDBConnection connection, string viewName, long? version, CancellationToken cancellationToken,
        IReadOnlyList<DeltaFileFilter>? filters = null)
    {
        var snapshot = await GetSnapshotAsync(version, cancellationToken).ConfigureAwait(false);
        await DeltaTableReader.CreateViewAsync(connection, viewName, snapshot, Store, _options.ScratchDirectory, cancellationToken, filters).ConfigureAwait(false);
        return snapshot;
    }

    /// <summary>Compacts small files per partition into one file each, committed with dataChange=false.</summary>
    public async Task<DeltaOptimizeResult> OptimizeAsync(DuckDBConnection connection, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var snapshot = await GetSnapshotAsync(null, cancellationToken).ConfigureAwait(false);
        DeltaProtocolSupport.EnsureWritable(snapshot.Protocol, snapshot.Metadata);
        var groups = snapshot.Files
            .Where(f => f.Size < _options.OptimizeSmallFileBytes)
            .GroupBy(f => DeltaPath.PartitionFolder(snapshot.PartitionColumns, f.PartitionValues), StringComparer.Ordinal)
            .Where(g => g.Count() > 1)
            .ToList();
        if (groups.Count == 0)
        {
            return new DeltaOptimizeResult(null, 0, 0, 0);
        }
        var writer = new DataFileWriter(Store, Scratch, _timeProvider);
        var dataColumns = snapshot.Schema.Fields
            .Where(f => !snapshot.PartitionColumns.Contains(f.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        var transaction = new DeltaTransaction(snapshot, "OPTIMIZE", new Dictionary<string, string> { ["predicate"] = "[]" });
        var now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var index = 0;
        var removed = 0;
        try
        {
            foreach (var group in groups)
            {
                var partial = new DeltaSnapshotView(snapshot, [.. group]);
                var select = await DeltaTableReader.BuildSelectAsync(connection, partial.Snapshot, Store, _options.ScratchDirectory, cancellationToken).ConfigureAwait(false);
                var query = $"SELECT {string.Join(", ", dataColumns.Select(f => DuckDbSql.Identifier(f.Name)))} FROM ({select})";
                var add = await writer.WriteFileAsync(connection, query, snapshot.PartitionColumns, group.First().PartitionValues,
                    dataColumns, index++, dataChange: false, cancellationToken).ConfigureAwait(false);
                transaction.Add(add);
                foreach (var file in group)
                {
                    transaction.Add(new RemoveAction(file.Path, now, false, file.PartitionValues, file.Size, ExtendedFileMetadata: true));
                    removed++;
                }
            }
            var result = await _writer.CommitAsync(transaction, cancellationToken).ConfigureAwait(false);
            DeltaTableLog.Optimized(_logger, Store.Location, result.Version!.Value, removed, groups.Count);
            return new DeltaOptimizeResult(result.Version, removed, groups.Count, groups.Count);
        }
        catch (DeltaException)
        {
            await writer.DeleteWrittenAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Deletes files in the table folder that no live file or unexpired tombstone references and
    /// that are older than the retention (default <see cref="DeltaTableOptions.VacuumRetention"/>).
    /// Never touches `_delta_log` or hidden files.
    /// </summary>
    public async Task<DeltaVacuumResult> VacuumAsync(TimeSpan? retention, bool dryRun, CancellationToken cancellationToken)
    {
        var keep = retention ?? _options.VacuumRetention;
        if (keep < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(retention), retention, "retention must be ≥ 0");
        }
        var snapshot = await GetSnapshotAsync(null, cancellationToken).ConfigureAwait(false);
        var root = Store.LocalRoot ?? Store.Location;
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in snapshot.Files)
        {
            referenced.Add(DeltaPath.Canonicalize(file.Path, root));
        }
        foreach (var tombstone in snapshot.Tombstones)
        {
            referenced.Add(DeltaPath.Canonicalize(tombstone.Path, root));
        }
        var cutoff = _timeProvider.GetUtcNow() - keep;
        var deleted = new List<string>();
        var kept = 0;
        foreach (var entry in await Store.ListAsync(string.Empty, cancellationToken).ConfigureAwait(false))
        {
            if (entry.Path.Split('/').Any(segment => segment.StartsWith('_') || segment.StartsWith('.')) || referenced.Contains(entry.Path))
            {
                continue;
            }
            if (entry.LastModified > cutoff)
            {
                kept++;
                continue;
            }
            if (!dryRun)
            {
                await Store.DeleteAsync(entry.Path, cancellationToken).ConfigureAwait(false);
            }
            deleted.Add(entry.Path);
        }
        DeltaTableLog.Vacuumed(_logger, Store.Location, deleted.Count, kept, dryRun);
        return new DeltaVacuumResult(deleted, kept, dryRun);
    }

    /// <summary>commitInfo of each commit still in the log, newest first.</summary>
    public Task<IReadOnlyList<(long Version, CommitInfoAction? Info)>> HistoryAsync(int? limit, CancellationToken cancellationToken) =>
        Log.HistoryAsync(limit, cancellationToken);

    /// <summary>Writes a checkpoint of <paramref name="version"/> now (normally written every 10 commits).</summary>
    public Task CheckpointAsync(long version, CancellationToken cancellationToken) => _writer.WriteCheckpointAsync(version, cancellationToken);

    private string Scratch => _options.ScratchDirectory ?? Path.GetTempPath();

    private int Removals(DeltaSnapshot snapshot, DeltaWriteOptions options, List<AddAction> adds, DeltaTransaction transaction)
    {
        if (options.Mode == DeltaWriteMode.Append)
        {
            return 0;
        }
        var schema = snapshot.Schema;
        string Key(IReadOnlyDictionary<string, string?> values) => string.Join("\u0001", snapshot.PartitionColumns.Select(c =>
        {
            var value = values.FirstOrDefault(kv => string.Equals(kv.Key, c, StringComparison.OrdinalIgnoreCase)).Value;
            return PartitionValueFormat.Normalize(schema.Find(c)!.Type, string.IsNullOrEmpty(value) ? null : value) ?? "\u0000";
        }));
        List<AddAction> victims;
        if (options.Mode == DeltaWriteMode.Overwrite || snapshot.PartitionColumns.Count == 0)
        {
            transaction.ReadsWholeTable = true;
            victims = [.. snapshot.Files];
        }
        else
        {
            var partitions = options.Partitions ?? adds.Select(a => a.PartitionValues).ToList();
            var keys = partitions.Select(Key).ToHashSet(StringComparer.Ordinal);
            if (options.Partitions is not null && adds.FirstOrDefault(a => !keys.Contains(Key(a.PartitionValues))) is { } stray)
            {
                throw new DeltaException($"rows for partition {DeltaPath.PartitionFolder(snapshot.PartitionColumns, stray.PartitionValues)} are outside the partitions being replaced");
            }
            transaction.ReadPartitions = partitions;
            victims = [.. snapshot.Files.Where(f => keys.Contains(Key(f.PartitionValues)))];
        }
        var now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var file in victims)
        {
            transaction.Add(new RemoveAction(file.Path, now, true, file.PartitionValues, file.Size, ExtendedFileMetadata: true));
        }
        return victims.Count;
    }

    /// <summary>A snapshot restricted to some files (compaction reads one partition's small files).</summary>
    private sealed class DeltaSnapshotView
    {
        public DeltaSnapshotView(DeltaSnapshot snapshot, IReadOnlyList<AddAction> files)
        {
            var builder = new DeltaSnapshotBuilder();
            builder.ApplyCommit(0, [snapshot.Protocol, snapshot.Metadata, .. files]);
            Snapshot = builder.Build();
        }

        public DeltaSnapshot Snapshot { get; }
    }
}
