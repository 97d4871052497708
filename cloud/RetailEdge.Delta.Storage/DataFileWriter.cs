using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using RetailEdge.Delta.Actions;
using DuckDB.NET.Data;
using DuckDB.NET.Native;

namespace RetailEdge.Delta.Storage;

/// <summary>
/// The one way data files get into a table (DeltaTable's writes and the lake jobs alike): the rows
/// cast to the schema, streamed by one DuckDB COPY into Parquet (ZSTD), one file per partition value
/// (COPY's PARTITION_BY) moved into Hive-style folders, each described by an add action whose
/// statistics (numRecords, and per column nullCount, minValues, maxValues, as Spark and delta-rs
/// write them) are read from the footer of the file written. The query is evaluated once and the rows are
/// never staged. Not thread-safe: one writer per commit.
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
    /// Writes the rows of <paramref name="sourceSql"/> cast to the schema, a file per partition value.
    /// <paramref name="sourceSql"/> is a query (or a table/view name) built by the caller's code.
    /// <paramref name="tags"/> go on every add action. When there are no rows and
    /// <paramref name="emptyPartition"/> is given, one empty file is written in that partition
    /// (a commit that must still be remembered, e.g. an empty routed file landed).
    /// Rows that do not fit the schema, or NULL in a non-nullable column, are refused with a
    /// <see cref="DeltaException"/> naming the column; the files already written are then the
    /// caller's to delete (<see cref="DeleteWrittenAsync"/>), as on any failure before the commit.
    /// <paramref name="expectedPartition"/>, when the caller knows the one partition its rows most likely
    /// fall into, is tried first: a plain COPY into that partition that stops at the first row outside
    /// it (then the rows are written by partition as without it), cheaper than partitioning the rows.
    /// </summary>
    public async Task<List<AddAction>> WriteAsync(DuckDBConnection connection, string sourceSql, DeltaSchema schema,
        IReadOnlyList<string> partitionColumns, bool dataChange, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string?>? tags = null, IReadOnlyDictionary<string, string?>? emptyPartition = null,
        IReadOnlyDictionary<string, string?>? expectedPartition = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(partitionColumns);
        var casts = string.Join(", ", schema.Fields.Select(f =>
            $"CAST(__src.{DuckDbSql.Identifier(f.Name)} AS {DuckDbTypes.ToDuckDb(f.Type)}) AS {DuckDbSql.Identifier(f.Name)}"));
        // a relation name is read as is; anything else is a query, parenthesised on lines of its own so
        // that one starting with a comment or WITH, or ending in a comment, stays one subquery
        var source = RelationName().IsMatch(sourceSql) ? sourceSql : "(\n" + sourceSql + "\n)";
        var typed = $"SELECT {casts} FROM {source} __src";
        var dataColumns = schema.Fields.Where(f => !partitionColumns.Contains(f.Name, StringComparer.OrdinalIgnoreCase)).ToList();
        var selectData = string.Join(", ", dataColumns.Select(f => DuckDbSql.Identifier(f.Name)));
        var adds = new List<AddAction>();
        if (partitionColumns.Count == 0)
        {
            var add = await WriteTypedFileAsync(connection, $"SELECT {selectData} FROM ({typed})", schema, partitionColumns, new Dictionary<string, string?>(), dataColumns,
                dataChange, tags, cancellationToken).ConfigureAwait(false);
            if (add.ParsedStats is { NumRecords: 0 } && emptyPartition is null)
            {
                await DeleteWrittenAsync(cancellationToken).ConfigureAwait(false);
                return adds;
            }
            adds.Add(add);
        }
        else
        {
            if (expectedPartition is not null
                && await TryWriteExpectedPartitionAsync(connection, typed, selectData, schema, partitionColumns, dataColumns, expectedPartition, dataChange, tags,
                    cancellationToken).ConfigureAwait(false) is { } only)
            {
                if (only.ParsedStats is { NumRecords: > 0 })
                {
                    adds.Add(only);
                }
                else
                {
                    await DeleteWrittenAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            else
            {
                adds.AddRange(await WritePartitionedAsync(connection, typed, selectData, schema, partitionColumns, dataColumns, dataChange, tags, cancellationToken)
                    .ConfigureAwait(false));
            }
            if (adds.Count == 0 && emptyPartition is not null)
            {
                adds.Add(await WriteTypedFileAsync(connection, $"SELECT {selectData} FROM ({typed}) WHERE false", schema, partitionColumns, emptyPartition, dataColumns,
                    dataChange, tags, cancellationToken).ConfigureAwait(false));
            }
        }
        return adds;
    }

    private const string OutsideExpectedPartition = "row outside the expected partition";

    /// <summary>
    /// The rows as one file of <paramref name="expected"/>'s partition, or null when a row falls outside
    /// it (the COPY stops there and its file is deleted) or the values do not name a partition of this schema.
    /// </summary>
    private async Task<AddAction?> TryWriteExpectedPartitionAsync(DuckDBConnection connection, string typed, string selectData, DeltaSchema schema,
        IReadOnlyList<string> partitionColumns, IReadOnlyList<DeltaField> dataColumns, IReadOnlyDictionary<string, string?> expected, bool dataChange,
        IReadOnlyDictionary<string, string?>? tags, CancellationToken cancellationToken)
    {
        var fields = partitionColumns.Select(c => schema.Find(c)!).ToList();
        if (fields.Any(f => expected.GetValueOrDefault(f.Name) is null))
        {
            // a null partition value has more than one form (null, empty string): left to the partitioned path
            return null;
        }
        var literals = fields.Select(f => $"CAST({DuckDbSql.Literal(expected[f.Name]!)} AS {DuckDbTypes.ToDuckDb(f.Type)})").ToList();
        Dictionary<string, string?> values;
        try
        {
            // the values in the form the log stores them, whatever form the caller gave
            using var result = connection.Query("SELECT " + string.Join(", ", PartitionValueExpressions(schema, partitionColumns, f => literals[fields.IndexOf(f)])),
                cancellationToken);
            result.Read();
            values = PartitionValues(result, schema, partitionColumns);
        }
        catch (DuckDBException)
        {
            return null;
        }
        var inside = string.Join(" AND ", fields.Select((f, i) => $"{DuckDbSql.Identifier(f.Name)} IS NOT DISTINCT FROM {literals[i]}"));
        var query = $"SELECT {selectData} FROM ({typed}) WHERE CASE WHEN {inside} THEN true ELSE error({DuckDbSql.Literal(OutsideExpectedPartition)}) END";
        try
        {
            return await WriteTypedFileAsync(connection, query, schema, partitionColumns, values, dataColumns, dataChange, tags, cancellationToken).ConfigureAwait(false);
        }
        catch (DeltaException ex) when (ex.InnerException is DuckDBException duck && duck.Message.Contains(OutsideExpectedPartition, StringComparison.Ordinal))
        {
            await DeleteWrittenAsync(cancellationToken).ConfigureAwait(false);
            return null;
        }
    }

    /// <summary>
    /// One COPY … PARTITION_BY over a key that encodes each file's partition values (hex of their text,
    /// 'n' for null, so no value is ever mangled by a folder name), into a scratch folder; each file
    /// written is then moved to its partition's folder in the table and described.
    /// </summary>
    private async Task<List<AddAction>> WritePartitionedAsync(DuckDBConnection connection, string typed, string selectData, DeltaSchema schema,
        IReadOnlyList<string> partitionColumns, IReadOnlyList<DeltaField> dataColumns, bool dataChange, IReadOnlyDictionary<string, string?>? tags,
        CancellationToken cancellationToken)
    {
        var key = string.Join(" || '_' || ", PartitionValueExpressions(schema, partitionColumns, f => DuckDbSql.Identifier(f.Name))
            .Select(v => $"(CASE WHEN ({v}) IS NULL THEN 'n' ELSE 'v' || hex(encode({v})) END)"));
        var folder = Path.Combine(_scratch, "retailedge-partitions-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_scratch);
        try
        {
            try
            {
                connection.Execute($"COPY (SELECT {selectData}, {key} AS __partition FROM ({typed})) TO {DuckDbSql.Literal(folder)} "
                    + "(FORMAT parquet, COMPRESSION zstd, PARTITION_BY (__partition))", cancellationToken);
            }
            catch (DuckDBException ex)
            {
                throw Refused(ex, $"writing data files at {_store.Location} failed");
            }
            var adds = new List<AddAction>();
            if (!Directory.Exists(folder))
            {
                return adds;
            }
            foreach (var directory in Directory.GetDirectories(folder).Order(StringComparer.Ordinal))
            {
                var values = DecodePartitionKey(Path.GetFileName(directory), schema, partitionColumns);
                foreach (var file in Directory.GetFiles(directory, "*.parquet").Order(StringComparer.Ordinal))
                {
                    adds.Add(await AddFileAsync(connection, file, partitionColumns, values, dataColumns, adds.Count, dataChange, tags, schema, cancellationToken)
                        .ConfigureAwait(false));
                }
            }
            return adds;
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }

    /// <summary>The partition values a folder name <c>__partition=…</c> of <see cref="WritePartitionedAsync"/> stands for.</summary>
    private static Dictionary<string, string?> DecodePartitionKey(string folderName, DeltaSchema schema, IReadOnlyList<string> partitionColumns)
    {
        var key = folderName[(folderName.IndexOf('=', StringComparison.Ordinal) + 1)..];
        var parts = key.Split('_');
        if (parts.Length != partitionColumns.Count)
        {
            throw new DeltaException($"unexpected partition folder {folderName}");
        }
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < parts.Length; i++)
        {
            var value = parts[i] == "n" ? null : Encoding.UTF8.GetString(Convert.FromHexString(parts[i].AsSpan(1)));
            // Spark stores an empty string partition as null (its folder is the default partition)
            values[schema.Find(partitionColumns[i])!.Name] = string.IsNullOrEmpty(value) ? null : value;
        }
        return values;
    }

    /// <summary>A value that does not convert to its column's type is the schema's refusal; anything else is the write failing.</summary>
    private static DeltaException Refused(DuckDBException ex, string otherwise) =>
        ex.ErrorType is DuckDBErrorType.Conversion or DuckDBErrorType.InvalidInput or DuckDBErrorType.OutOfRange or DuckDBErrorType.Constraint
            ? new DeltaException($"the rows to write do not fit the table schema: {ex.Message}", ex)
            : new DeltaException(otherwise.Contains(ex.Message, StringComparison.Ordinal) ? otherwise : $"{otherwise}: {ex.Message}", ex);

    private static Dictionary<string, string?> PartitionValues(DuckDBDataReader result, DeltaSchema schema, IReadOnlyList<string> partitionColumns)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        for (var i = 0; i < partitionColumns.Count; i++)
        {
            var value = result.IsDBNull(i) ? null : result.GetString(i);
            values[schema.Find(partitionColumns[i])!.Name] = string.IsNullOrEmpty(value) ? null : value;
        }
        return values;
    }

    /// <summary>PROTOCOL.md "Partition Value Serialization": timestamps as ISO-8601 UTC, others as text.</summary>
    private static IEnumerable<string> PartitionValueExpressions(DeltaSchema schema, IReadOnlyList<string> partitionColumns, Func<DeltaField, string> operand) =>
        partitionColumns.Select(c =>
        {
            var field = schema.Find(c)!;
            var column = operand(field);
            return field.Type.Name == "timestamp"
                ? $"strftime({column} AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%S.%fZ')"
                : $"CAST({column} AS VARCHAR)";
        });

    /// <summary>
    /// Refuses a file with NULL in a non-nullable column, naming the column: data columns from the
    /// file's null counts (nested ones, which have none, by reading the file), partition columns from its values.
    /// </summary>
    private static void CheckRequired(DuckDBConnection connection, string local, DeltaFileStats stats, DeltaSchema schema, IReadOnlyList<string> partitionColumns,
        IReadOnlyDictionary<string, string?> partitionValues, CancellationToken cancellationToken)
    {
        foreach (var field in schema.Fields.Where(f => !f.Nullable))
        {
            long nulls;
            if (partitionColumns.Contains(field.Name, StringComparer.OrdinalIgnoreCase))
            {
                nulls = partitionValues.GetValueOrDefault(field.Name) is null ? stats.NumRecords : 0;
            }
            else if (stats.NullCount[field.Name] is { } counted)
            {
                nulls = counted.GetValue<long>();
            }
            else
            {
                nulls = connection.Scalar<long>($"SELECT count(*) FROM read_parquet({DuckDbSql.Literal(local)}) WHERE {DuckDbSql.Identifier(field.Name)} IS NULL",
                    cancellationToken);
            }
            if (nulls > 0)
            {
                throw new DeltaException($"column '{field.Name}' is not nullable but {nulls} rows to write have NULL");
            }
        }
    }

    /// <summary>One file from a query over rows already cast to the schema; a value that does not convert is the schema's refusal.</summary>
    private async Task<AddAction> WriteTypedFileAsync(DuckDBConnection connection, string query, DeltaSchema schema, IReadOnlyList<string> partitionColumns,
        IReadOnlyDictionary<string, string?> partitionValues, IReadOnlyList<DeltaField> dataColumns, bool dataChange,
        IReadOnlyDictionary<string, string?>? tags, CancellationToken cancellationToken)
    {
        try
        {
            return await WriteFileAsync(connection, query, partitionColumns, partitionValues, dataColumns, 0, dataChange, cancellationToken, tags, schema).ConfigureAwait(false);
        }
        catch (DeltaException ex) when (ex.InnerException is DuckDBException duck)
        {
            throw Refused(duck, ex.Message);
        }
    }

    /// <summary>
    /// Writes the rows of one query as one data file in the given partition; with
    /// <paramref name="requiredOf"/>, a NULL in one of its non-nullable columns refuses the file.
    /// </summary>
    internal async Task<AddAction> WriteFileAsync(DuckDBConnection connection, string query, IReadOnlyList<string> partitionColumns,
        IReadOnlyDictionary<string, string?> partitionValues, IReadOnlyList<DeltaField> dataColumns, int index, bool dataChange,
        CancellationToken cancellationToken, IReadOnlyDictionary<string, string?>? tags = null, DeltaSchema? requiredOf = null)
    {
        var relative = RelativePath(partitionColumns, partitionValues, index);
        // a local table gets the file in place; any other store gets it from the scratch folder
        var local = _store is LocalDeltaLogStore localStore
            ? localStore.FullPath(relative)
            : Path.Combine(_scratch, $"retailedge-data-{Guid.NewGuid():N}.parquet");
        Directory.CreateDirectory(Path.GetDirectoryName(local)!);
        _written.Add(relative);
        try
        {
            connection.Execute($"COPY ({query}) TO {DuckDbSql.Literal(local)} (FORMAT parquet, COMPRESSION zstd)", cancellationToken);
        }
        catch (DuckDBException ex)
        {
            DeleteLocalCopy(local);
            throw new DeltaException($"writing data file {relative} at {_store.Location} failed: {ex.Message}", ex);
        }
        return await DescribeAsync(connection, local, relative, partitionColumns, partitionValues, dataColumns, dataChange, tags, requiredOf, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>Moves a Parquet file written in the scratch folder into the table as a data file of the given partition.</summary>
    private async Task<AddAction> AddFileAsync(DuckDBConnection connection, string written, IReadOnlyList<string> partitionColumns,
        IReadOnlyDictionary<string, string?> partitionValues, IReadOnlyList<DeltaField> dataColumns, int index, bool dataChange,
        IReadOnlyDictionary<string, string?>? tags, DeltaSchema requiredOf, CancellationToken cancellationToken)
    {
        var relative = RelativePath(partitionColumns, partitionValues, index);
        _written.Add(relative);
        var local = written;
        if (_store is LocalDeltaLogStore localStore)
        {
            local = localStore.FullPath(relative);
            Directory.CreateDirectory(Path.GetDirectoryName(local)!);
            File.Move(written, local);
        }
        return await DescribeAsync(connection, local, relative, partitionColumns, partitionValues, dataColumns, dataChange, tags, requiredOf, cancellationToken)
            .ConfigureAwait(false);
    }

    private static string RelativePath(IReadOnlyList<string> partitionColumns, IReadOnlyDictionary<string, string?> partitionValues, int index)
    {
        var folder = partitionColumns.Count == 0 ? string.Empty : DeltaPath.PartitionFolder(partitionColumns, partitionValues) + "/";
        return folder + string.Create(CultureInfo.InvariantCulture, $"part-{index:D5}-{Guid.NewGuid()}-c000.zstd.parquet");
    }

    /// <summary>The add action of a file written at <paramref name="local"/> (uploaded first unless the store is local): statistics read from the file's footer.</summary>
    private async Task<AddAction> DescribeAsync(DuckDBConnection connection, string local, string relative, IReadOnlyList<string> partitionColumns,
        IReadOnlyDictionary<string, string?> partitionValues, IReadOnlyList<DeltaField> dataColumns, bool dataChange,
        IReadOnlyDictionary<string, string?>? tags, DeltaSchema? requiredOf, CancellationToken cancellationToken)
    {
        try
        {
            var stats = ParquetFileStats.Compute(connection, local, dataColumns);
            if (requiredOf is not null)
            {
                CheckRequired(connection, local, stats, requiredOf, partitionColumns, partitionValues, cancellationToken);
            }
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
                DeleteLocalCopy(local);
            }
        }
    }

    private void DeleteLocalCopy(string local)
    {
        if (_store is not LocalDeltaLogStore)
        {
            File.Delete(local);
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
}
