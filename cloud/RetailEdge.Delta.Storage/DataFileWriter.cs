using System.Globalization;
using System.Text.RegularExpressions;
using RetailEdge.Delta.Actions;
using DuckDB.NET.Data;

namespace RetailEdge.Delta.Storage;

/// <summary>
/// The one way data files get into a table (DeltaTable's writes and the lake jobs alike): staged
/// rows cast to the schema, written as Parquet (ZSTD) through DuckDB COPY, one file per partition
/// in Hive-style folders, each described by an add action whose statistics (numRecords, and per
/// column nullCount, minValues, maxValues, as Spark and delta-rs write them) are computed from the
/// file written. Not thread-safe: one writer per commit.
/// </summary>
public sealed partial class DataFileWriter
{
    private readonly IDeltaLogStore _store;
    private readonly string _scratch;
    private readonly TimeProvider _timeProvider;

    public DataFileWriter(IDeltaLogStore store, string scratch, TimeProvider timeProvider)
    {
        _store = store;
        _scratch = scratch;
        _timeProvider = timeProvider;
    }

    // files written so far (relative store paths), for clean-up when the commit is skipped
    private readonly List<string> _written = [];

    /// <summary>
    /// Stages <paramref name="sourceSql"/> cast to the schema into a temp table, then writes it.
    /// <paramref name="sourceSql"/> is a query (or a table/view name) built by the caller's code.
    /// <paramref name="tags"/> go on every add action. When there are no rows and
    /// <paramref name="emptyPartition"/> is given, one empty file is written in that partition
    /// (a commit that must still be remembered, e.g. an empty routed file landed).
    /// </summary>
    public async Task<List<AddAction>> WriteAsync(DuckDBConnection connection, string sourceSql, DeltaSchema schema,
        IReadOnlyList<string> partitionColumns, bool dataChange, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string?>? tags = null, IReadOnlyDictionary<string, string?>? emptyPartition = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(partitionColumns);
        var stage = "__delta_stage_" + Guid.NewGuid().ToString("N");
        var casts = string.Join(", ", schema.Fields.Select(f =>
            $"CAST(__src.{DuckDbSql.Identifier(f.Name)} AS {DuckDbTypes.ToDuckDb(f.Type)}) AS {DuckDbSql.Identifier(f.Name)}"));
        // one file per partition value: __pid numbers the partitions (all rows are file 1 when unpartitioned)
        var partitionId = partitionColumns.Count == 0
            ? "1"
            : "dense_rank() OVER (ORDER BY " + string.Join(", ", partitionColumns.Select(c => DuckDbSql.Identifier(c) + " NULLS FIRST")) + ")";
        // a relation name is read as is; anything else is a query, parenthesised on lines of its own so
        // that one starting with a comment or WITH, or ending in a comment, stays one subquery
        var source = RelationName().IsMatch(sourceSql) ? sourceSql : "(\n" + sourceSql + "\n)";
        try
        {
            connection.Execute(
                $"CREATE TEMP TABLE {stage} AS SELECT *, {partitionId} AS __pid FROM (SELECT {casts} FROM {source} __src)", cancellationToken);
        }
        catch (DuckDBException ex)
        {
            throw new DeltaException($"the rows to write do not fit the table schema: {ex.Message}", ex);
        }
        try
        {
            var dataColumns = schema.Fields.Where(f => !partitionColumns.Contains(f.Name, StringComparer.OrdinalIgnoreCase)).ToList();
            var partitions = Summarize(connection, stage, schema, partitionColumns, dataColumns, cancellationToken);
            var selectData = string.Join(", ", dataColumns.Select(f => DuckDbSql.Identifier(f.Name)));
            var adds = new List<AddAction>();
            var index = 0;
            foreach (var (pid, values, stats) in partitions)
            {
                var query = $"SELECT {selectData} FROM {stage} WHERE __pid = {pid.ToString(CultureInfo.InvariantCulture)}";
                adds.Add(await WriteFileAsync(connection, query, partitionColumns, values, dataColumns, index++, dataChange, cancellationToken, tags, stats).ConfigureAwait(false));
            }
            if (adds.Count == 0 && emptyPartition is not null)
            {
                adds.Add(await WriteFileAsync(connection, $"SELECT {selectData} FROM {stage} WHERE false", partitionColumns, emptyPartition,
                    dataColumns, index, dataChange, cancellationToken, tags).ConfigureAwait(false));
            }
            return adds;
        }
        finally
        {
            connection.Execute($"DROP TABLE IF EXISTS {stage}");
        }
    }

    /// <summary>Writes the rows of one query as one data file in the given partition.</summary>
    internal async Task<AddAction> WriteFileAsync(DuckDBConnection connection, string query, IReadOnlyList<string> partitionColumns,
        IReadOnlyDictionary<string, string?> partitionValues, IReadOnlyList<DeltaField> dataColumns, int index, bool dataChange,
        CancellationToken cancellationToken, IReadOnlyDictionary<string, string?>? tags = null, DeltaFileStats? knownStats = null)
    {
        var folder = partitionColumns.Count == 0 ? string.Empty : DeltaPath.PartitionFolder(partitionColumns, partitionValues) + "/";
        var relative = folder + string.Create(CultureInfo.InvariantCulture, $"part-{index:D5}-{Guid.NewGuid()}-c000.zstd.parquet");
        var local = _store is LocalDeltaLogStore localStore
            ? localStore.FullPath(relative)
            : Path.Combine(_scratch, $"retailedge-data-{Guid.NewGuid():N}.parquet");
        Directory.CreateDirectory(Path.GetDirectoryName(local)!);
        _written.Add(relative);
        try
        {
            connection.Execute($"COPY ({query}) TO {DuckDbSql.Literal(local)} (FORMAT parquet, COMPRESSION zstd)", cancellationToken);
            // stats of staged rows were computed with the partitions; a file from any other query is read back
            var stats = knownStats ?? ParquetFileStats.Compute(connection, local, dataColumns);
            var size = new FileInfo(local).Length;
            if (_store is not LocalDeltaLogStore)
            {
                await _store.UploadAsync(local, relative, cancellationToken).ConfigureAwait(false);
            }
            return new AddAction(
                DeltaPath.Encode(relative),
                partitionValues,
                size,
                _timeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
                dataChange,
                stats.ToJsonString(),
                tags);
        }
        catch (DuckDBException ex)
        {
            throw new DeltaException($"writing data file {relative} at {_store.Location} failed: {ex.Message}", ex);
        }
        finally
        {
            if (_store is not LocalDeltaLogStore)
            {
                File.Delete(local);
            }
        }
    }

    /// <summary>Deletes files written by this writer (the commit was skipped or failed before the log).</summary>
    public async Task DeleteWrittenAsync(CancellationToken cancellationToken)
    {
        foreach (var path in _written)
        {
            await _store.DeleteAsync(path, cancellationToken).ConfigureAwait(false);
        }
        _written.Clear();
    }

    /// <summary>A table or view name, optionally qualified, each part plain or double-quoted.</summary>
    [GeneratedRegex("""^\s*("([^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*)(\s*\.\s*("([^"]|"")+"|[A-Za-z_][A-Za-z0-9_$]*))*\s*$""")]
    private static partial Regex RelationName();

    /// <summary>
    /// One scan of the stage: per file (__pid) its partition values and its stats. Non-nullable
    /// columns holding NULL are refused, naming the column, before anything is written.
    /// </summary>
    private static List<(long Pid, Dictionary<string, string?> Values, DeltaFileStats Stats)> Summarize(
        DuckDBConnection connection, string stage, DeltaSchema schema, IReadOnlyList<string> partitionColumns, IReadOnlyList<DeltaField> dataColumns,
        CancellationToken cancellationToken)
    {
        var expressions = partitionColumns.Select(c =>
        {
            var field = schema.Find(c)!;
            var column = DuckDbSql.Identifier(field.Name);
            // PROTOCOL.md "Partition Value Serialization": timestamps as ISO-8601 UTC, others as text
            return field.Type.Name == "timestamp"
                ? $"strftime(any_value({column}) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ')"
                : $"CAST(any_value({column}) AS VARCHAR)";
        }).ToList();
        var required = schema.Fields.Where(f => !f.Nullable).ToList();
        expressions.AddRange(required.Select(f => $"count(*) FILTER (WHERE {DuckDbSql.Identifier(f.Name)} IS NULL)"));
        var plan = ParquetFileStats.Plan(dataColumns);
        expressions.AddRange(ParquetFileStats.Expressions(plan));
        using var result = connection.Query($"SELECT __pid, {string.Join(", ", expressions)} FROM {stage} GROUP BY __pid ORDER BY __pid", cancellationToken);
        var partitions = new List<(long, Dictionary<string, string?>, DeltaFileStats)>();
        var nulls = new long[required.Count];
        while (result.Read())
        {
            var values = new Dictionary<string, string?>(StringComparer.Ordinal);
            for (var i = 0; i < partitionColumns.Count; i++)
            {
                var value = result.IsDBNull(i + 1) ? null : result.GetString(i + 1);
                // Spark stores an empty string partition as null (its folder is the default partition)
                values[schema.Find(partitionColumns[i])!.Name] = string.IsNullOrEmpty(value) ? null : value;
            }
            for (var i = 0; i < required.Count; i++)
            {
                nulls[i] += result.GetInt64(1 + partitionColumns.Count + i);
            }
            partitions.Add((result.GetInt64(0), values, ParquetFileStats.Read(result, 1 + partitionColumns.Count + required.Count, plan)));
        }
        for (var i = 0; i < required.Count; i++)
        {
            if (nulls[i] > 0)
            {
                throw new DeltaException($"column '{required[i].Name}' is not nullable but {nulls[i]} rows to write have NULL");
            }
        }
        return partitions;
    }
}
