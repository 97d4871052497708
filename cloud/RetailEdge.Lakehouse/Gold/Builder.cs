using RetailEdge.Delta.Storage;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using RetailEdge.Delta;
using RetailEdge.Delta.Actions;
using DuckDB.NET.Data;

namespace RetailEdge.Lakehouse;

/// <summary>
/// Refreshes the gold tables from new silver data (ARCHITECTURE.md §9 "Incremental"). Each gold
/// table records, per input table, the version it has read (txn appId
/// "retailedge-builder:{input}") in the same commit as its new files, so every refresh reads only
/// what was committed since, and a refresh interrupted anywhere is redone exactly once. Only the
/// date partitions or store partitions touched by the new rows are rewritten.
/// </summary>
public sealed partial class Builder
{
    public const string AppIdPrefix = "retailedge-builder:";

    private readonly LakeContext _lake;
    private readonly ILogger _logger;

    public Builder(LakeContext lake, ILogger<Builder> logger)
    {
        _lake = lake ?? throw new ArgumentNullException(nameof(lake));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    public async Task<BuildResult> RunOnceAsync(CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var written = new Dictionary<string, long?>(StringComparer.Ordinal);
        using var connection = _lake.Connect();
        await ReferenceViewsAsync(connection, cancellationToken).ConfigureAwait(false);
        foreach (var job in GoldJob.All)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var version = await RunJobAsync(connection, job, cancellationToken).ConfigureAwait(false);
            if (version is not null)
            {
                written[job.Target.FullName] = version;
            }
        }
        return new BuildResult(written, watch.Elapsed);
    }

    private async Task<long?> RunJobAsync(DuckDBConnection connection, GoldJob job, CancellationToken cancellationToken)
    {
        var target = _lake.Table(job.Target);
        var targetSnapshot = await target.TryLoadAsync(cancellationToken).ConfigureAwait(false);
        var inputs = new List<(LakeTableDefinition Definition, DeltaSnapshot? Snapshot, IReadOnlyList<AddAction> NewFiles)>();
        var txns = new List<TxnAction>();
        var advanced = false;
        var now = _lake.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var input in job.Inputs)
        {
            var table = _lake.Table(input);
            var snapshot = await table.TryLoadAsync(cancellationToken).ConfigureAwait(false);
            var appId = AppIdPrefix + input.FullName;
            var readThrough = targetSnapshot?.TransactionVersion(appId) ?? -1;
            IReadOnlyList<AddAction> added = [];
            if (snapshot is not null && snapshot.Version > readThrough)
            {
                added = await table.AddedBetweenAsync(readThrough, snapshot.Version, cancellationToken).ConfigureAwait(false);
                txns.Add(new TxnAction(appId, snapshot.Version, now));
                advanced = true;
            }
            inputs.Add((input, snapshot, added));
        }
        if (!advanced)
        {
            return null;
        }
        var sql = SqlScripts.Get(job.SqlName);
        IReadOnlyCollection<string>? replace;
        switch (job.Strategy)
        {
            case GoldStrategy.RecomputeDates:
            {
                var dates = inputs.SelectMany(i => i.NewFiles).Select(f => f.PartitionValues.GetValueOrDefault("event_date"))
                    .OfType<string>().ToHashSet(StringComparer.Ordinal);
                foreach (var (definition, snapshot, _) in inputs)
                {
                    await _lake.Table(definition).CreateViewAsync(connection, definition.ViewName, snapshot?.Files ?? [], cancellationToken,
                        [DeltaFileFilter.In("event_date", dates)]).ConfigureAwait(false);
                }
                replace = dates;
                break;
            }
            case GoldStrategy.MergeAll:
                await NewViewsAsync(connection, inputs, cancellationToken).ConfigureAwait(false);
                await target.CreateViewAsync(connection, "gold_current", targetSnapshot?.Files ?? [], cancellationToken).ConfigureAwait(false);
                replace = null;
                break;
            case GoldStrategy.MergeStores:
            {
                await NewViewsAsync(connection, inputs, cancellationToken).ConfigureAwait(false);
                var stores = DistinctStores(connection, inputs.Select(i => "new_" + i.Definition.ViewName));
                await StoreViewAsync(connection, target, targetSnapshot, "gold_current", stores, cancellationToken).ConfigureAwait(false);
                replace = stores;
                break;
            }
            case GoldStrategy.RecomputeStores:
            {
                var stores = new HashSet<string>(StringComparer.Ordinal);
                foreach (var (definition, snapshot, added) in inputs)
                {
                    if (definition.PartitionColumn == "store_id")
                    {
                        stores.UnionWith(added.Select(f => f.PartitionValues.GetValueOrDefault("store_id")).OfType<string>());
                    }
                    else
                    {
                        await _lake.Table(definition).CreateViewAsync(connection, "new_" + definition.ViewName, added, cancellationToken).ConfigureAwait(false);
                        stores.UnionWith(DistinctStores(connection, ["new_" + definition.ViewName]));
                    }
                }
                foreach (var (definition, snapshot, _) in inputs)
                {
                    if (definition.PartitionColumn == "store_id")
                    {
                        await StoreViewAsync(connection, _lake.Table(definition), snapshot, definition.ViewName, stores, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        // the trailing window: the newest 7 date partitions
                        var lastDates = snapshot?.Files.Select(f => f.PartitionValues.GetValueOrDefault("event_date")).OfType<string>()
                            .Distinct(StringComparer.Ordinal).OrderDescending(StringComparer.Ordinal).Take(7).ToHashSet(StringComparer.Ordinal) ?? [];
                        // of those, only files whose store_id range can hold a touched store (the SQL is per store)
                        await _lake.Table(definition).CreateViewAsync(connection, definition.ViewName, snapshot?.Files ?? [], cancellationToken,
                            [DeltaFileFilter.In("event_date", lastDates), DeltaFileFilter.In("store_id", stores)]).ConfigureAwait(false);
                    }
                }
                replace = stores;
                break;
            }
            default:
                throw new InvalidOperationException($"unknown strategy {job.Strategy}");
        }
        var source = replace is { Count: 0 } ? $"SELECT * FROM ({sql}) AS nothing LIMIT 0" : sql;
        var mode = replace is { Count: 0 } ? LakeWriteMode.Append : LakeWriteMode.Replace;
        // one partition rewritten (a day's refresh, one store's): its rows are expected there
        var version = await target.WriteAsync(connection, targetSnapshot, source, mode, replace, txns, null,
            job.Strategy == GoldStrategy.MergeAll ? "MERGE" : "WRITE", cancellationToken,
            expectedPartitionValue: replace is { Count: 1 } ? replace.First() : null).ConfigureAwait(false);
        LogRefreshed(_logger, job.Target.FullName, replace?.Count ?? -1, version);
        return version;
    }

    private async Task NewViewsAsync(DuckDBConnection connection, IEnumerable<(LakeTableDefinition Definition, DeltaSnapshot? Snapshot, IReadOnlyList<AddAction> NewFiles)> inputs, CancellationToken cancellationToken)
    {
        foreach (var (definition, _, added) in inputs)
        {
            await _lake.Table(definition).CreateViewAsync(connection, "new_" + definition.ViewName, added, cancellationToken).ConfigureAwait(false);
        }
    }

    private static HashSet<string> DistinctStores(DuckDBConnection connection, IEnumerable<string> views)
    {
        var stores = new HashSet<string>(StringComparer.Ordinal);
        foreach (var view in views)
        {
            using var result = connection.Query($"SELECT DISTINCT CAST(store_id AS VARCHAR) FROM {DuckDbSql.Identifier(view)}");
            while (result.Read())
            {
                stores.Add(result.GetString(0));
            }
        }
        return stores;
    }

    private static Task StoreViewAsync(DuckDBConnection connection, LakeTable table, DeltaSnapshot? snapshot, string view, HashSet<string> stores, CancellationToken cancellationToken) =>
        table.CreateViewAsync(connection, view, snapshot?.Files ?? [], cancellationToken, [DeltaFileFilter.In("store_id", stores)]);

    /// <summary>reference_store and reference_item (empty when reference data was never loaded).</summary>
    private async Task ReferenceViewsAsync(DuckDBConnection connection, CancellationToken cancellationToken)
    {
        foreach (var definition in new[] { LakeTables.ReferenceStore, LakeTables.ReferenceItem })
        {
            var table = _lake.Table(definition);
            var snapshot = await table.TryLoadAsync(cancellationToken).ConfigureAwait(false);
            await table.CreateViewAsync(connection, definition.ViewName, snapshot?.Files ?? [], cancellationToken).ConfigureAwait(false);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Refreshed {Table}: {Partitions} partitions rewritten (-1 = whole table), version {Version}")]
    private static partial void LogRefreshed(ILogger logger, string table, int partitions, long? version);
}
