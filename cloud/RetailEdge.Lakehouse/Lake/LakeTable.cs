using RetailEdge.Delta.Storage;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using RetailEdge.Delta;
using RetailEdge.Delta.Actions;
using DuckDB.NET.Data;

namespace RetailEdge.Lakehouse;

/// <summary>
/// One Delta table of the lake as the jobs use it: load the snapshot, list files added since a
/// version, expose files to DuckDB as a view, and write query results as Parquet data files
/// (one per partition value) committed together with the job's txn actions (DELTA.md "Actions").
/// </summary>
public sealed class LakeTable
{
    /// <summary>Tag on bronze add actions listing the routed source files landed in that commit.</summary>
    public const string SourceFilesTag = "retailedge.sourceFiles";

    private readonly TimeProvider _timeProvider;
    private readonly string _scratch;
    private readonly DeltaSchema _schema;

    public LakeTable(LakeTableDefinition definition, IDeltaLogStore store, ICheckpointCodec? checkpoints, TimeProvider timeProvider, string scratchDirectory)
    {
        Definition = definition ?? throw new ArgumentNullException(nameof(definition));
        Store = store ?? throw new ArgumentNullException(nameof(store));
        _timeProvider = timeProvider ?? throw new ArgumentNullException(nameof(timeProvider));
        _scratch = scratchDirectory ?? throw new ArgumentNullException(nameof(scratchDirectory));
        _schema = definition.ToDeltaSchema();
        Reader = new DeltaLogReader(store, checkpoints, timeProvider);
        Writer = new DeltaLogWriter(Reader, checkpoints, timeProvider);
    }

    public LakeTableDefinition Definition { get; }

    public IDeltaLogStore Store { get; }

    public DeltaLogReader Reader { get; }

    public DeltaLogWriter Writer { get; }

    /// <summary>The latest snapshot, or null when the table does not exist yet.</summary>
    public async Task<DeltaSnapshot?> TryLoadAsync(CancellationToken cancellationToken)
    {
        var latest = await Reader.LatestVersionAsync(cancellationToken).ConfigureAwait(false);
        return latest is null ? null : await Reader.LoadAsync(latest, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Data-changing add actions committed in versions (after, to], oldest first; compaction rewrites are skipped.</summary>
    public async Task<IReadOnlyList<AddAction>> AddedBetweenAsync(long after, long to, CancellationToken cancellationToken)
    {
        var adds = new List<AddAction>();
        for (var v = after + 1; v <= to; v++)
        {
            var actions = await Reader.ReadCommitAsync(v, cancellationToken).ConfigureAwait(false);
            adds.AddRange(actions.OfType<AddAction>().Where(a => a.DataChange));
        }
        return adds;
    }

    /// <summary>A local path DuckDB can read for a data file (downloaded into the scratch folder for remote stores).</summary>
    public async Task<string> LocalPathAsync(AddAction file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        var relative = DeltaPath.Decode(file.Path);
        if (Store.LocalRoot is { } root)
        {
            return Path.Combine(root, relative);
        }
        var cached = Path.Combine(_scratch, "cache", Definition.Layer, Definition.Name, relative.Replace('/', '_'));
        if (!File.Exists(cached))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(cached)!);
            var temp = cached + ".part";
            if (!await Store.DownloadAsync(relative, temp, cancellationToken).ConfigureAwait(false))
            {
                throw new DeltaException($"data file {relative} of {Definition.FullName} is missing at {Store.Location}");
            }
            File.Move(temp, cached, overwrite: true);
        }
        return cached;
    }

    /// <summary>
    /// SQL selecting the table's columns (definition order) from the given files; partition values
    /// come from the log, never from folder names (DELTA.md "Snapshot reconstruction").
    /// </summary>
    public async Task<string> SelectSqlAsync(IEnumerable<AddAction> files, CancellationToken cancellationToken, IReadOnlyList<DeltaFileFilter>? filters = null)
    {
        ArgumentNullException.ThrowIfNull(files);
        var partition = Definition.PartitionColumn;
        var groups = new SortedDictionary<(string Partition, string Missing), List<string>>();
        foreach (var file in Select(files, filters))
        {
            var key = (partition is null ? string.Empty : (file.PartitionValues.GetValueOrDefault(partition) ?? "\0null"), string.Join(',', MissingColumns(file)));
            if (!groups.TryGetValue(key, out var list))
            {
                groups[key] = list = [];
            }
            list.Add(await LocalPathAsync(file, cancellationToken).ConfigureAwait(false));
        }
        if (groups.Count == 0)
        {
            return "SELECT " + string.Join(", ", Definition.Columns.Select(c => $"CAST(NULL AS {c.DuckDbType}) AS \"{c.Name}\"")) + " WHERE false";
        }
        var parts = new List<string>();
        foreach (var ((value, missingList), paths) in groups)
        {
            var missing = missingList.Split(',', StringSplitOptions.RemoveEmptyEntries);
            var columns = Definition.Columns.Select(c => c.Name == partition
                ? (value == "\0null" ? "CAST(NULL AS " : "CAST(" + DuckDbSql.Literal(value) + " AS ") + c.DuckDbType + ") AS \"" + c.Name + "\""
                : missing.Contains(c.Name, StringComparer.Ordinal) ? $"CAST(NULL AS {c.DuckDbType}) AS \"{c.Name}\"" : "\"" + c.Name + "\"");
            parts.Add("SELECT " + string.Join(", ", columns) + " FROM read_parquet([" + string.Join(", ", paths.Select(DuckDbSql.Literal)) + "])");
        }
        return string.Join("\nUNION ALL\n", parts);
    }

    /// <summary>
    /// The nullable columns a data file was written without, because they were added to the schema
    /// later (schema evolution, e.g. bronze's Event Hubs position columns): they read as null. A file
    /// counts nulls for every primitive column it holds (Spark, delta-rs and our writer), so a nullable
    /// column its statistics do not count is one it does not have; a file without statistics is
    /// assumed to hold them all.
    /// </summary>
    private IEnumerable<string> MissingColumns(AddAction file)
    {
        if (file.ParsedStats is not { NullCount.Count: > 0 } stats)
        {
            return [];
        }
        return Definition.Columns
            .Where(c => c.Nullable && c.Name != Definition.PartitionColumn && c.DeltaType.IsPrimitive && !stats.NullCount.ContainsKey(c.Name))
            .Select(c => c.Name);
    }

    /// <summary>
    /// Creates (or replaces) a temp view named <paramref name="view"/> over the given files, leaving
    /// out those whose partition value or min/max statistics rule out every row <paramref name="filters"/> asks for.
    /// </summary>
    public async Task CreateViewAsync(DuckDBConnection connection, string view, IEnumerable<AddAction> files, CancellationToken cancellationToken,
        IReadOnlyList<DeltaFileFilter>? filters = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var sql = await SelectSqlAsync(files, cancellationToken, filters).ConfigureAwait(false);
        connection.Execute($"CREATE OR REPLACE TEMP VIEW {DuckDbSql.Identifier(view)} AS {sql}");
    }

    /// <summary>The files that may hold rows <paramref name="filters"/> asks for (all when there are none).</summary>
    public IReadOnlyList<AddAction> Select(IEnumerable<AddAction> files, IReadOnlyList<DeltaFileFilter>? filters) =>
        DeltaFileFilter.Select(files, _schema, Definition.PartitionColumn is { } partition ? [partition] : [], filters ?? []);

    /// <summary>
    /// Writes the rows of <paramref name="sourceSql"/> (any column order; cast to the table's types)
    /// and commits them with <paramref name="txns"/>. <paramref name="replace"/> removes live files
    /// first: all of them, or those of the listed partition values. Returns the committed version,
    /// or null when another writer already committed the same txn (idempotent skip).
    /// <paramref name="expectedPartitionValue"/>: the one partition the caller expects every row in
    /// (tried first as one plain file; rows elsewhere make it fall back to a file per partition).
    /// </summary>
    public async Task<long?> WriteAsync(
        DuckDBConnection connection,
        DeltaSnapshot? snapshot,
        string sourceSql,
        LakeWriteMode mode,
        IReadOnlyCollection<string>? replacePartitions,
        IReadOnlyList<TxnAction> txns,
        IReadOnlyDictionary<string, string?>? tags,
        string operation,
        CancellationToken cancellationToken,
        string? emptyPartitionValue = null,
        string? expectedPartitionValue = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(txns);
        var partition = Definition.PartitionColumn;
        var now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds();
        var transaction = new DeltaTransaction(snapshot, operation);
        if (snapshot is null)
        {
            transaction.Add(ProtocolAction.Default);
            var configuration = new Dictionary<string, string?>();
            if (Definition.Layer == "bronze")
            {
                configuration["delta.appendOnly"] = "true";
            }
            transaction.Add(new MetadataAction(Guid.NewGuid().ToString("D"), _schema.ToJsonString(),
                partition is null ? [] : [partition], configuration, now, Definition.FullName));
        }
        // one write path with DeltaTable: files and their statistics come from DataFileWriter
        var schema = snapshot?.Schema ?? _schema;
        if (snapshot is not null && Evolve(snapshot.Schema) is { } evolved)
        {
            // a lake made before a nullable column was added: the schema gains it in this commit; older files read it as null
            var metadata = snapshot.Metadata;
            // a new record, not `with`: MetadataAction caches its parsed schema in a field a copy would keep
            transaction.Add(new MetadataAction(metadata.Id, evolved.ToJsonString(), metadata.PartitionColumns, metadata.Configuration,
                metadata.CreatedTime, metadata.Name, metadata.Description, metadata.FormatProvider));
            schema = evolved;
        }
        IReadOnlyList<string> partitionColumns = partition is null ? [] : [partition];
        IReadOnlyDictionary<string, string?>? emptyPartition = null;
        if (mode == LakeWriteMode.AppendKeepEmpty)
        {
            emptyPartition = partition is null
                ? new Dictionary<string, string?>()
                : new Dictionary<string, string?> { [partition] = emptyPartitionValue ?? throw new InvalidOperationException("an empty write to a partitioned table needs emptyPartitionValue") };
        }
        var files = new DataFileWriter(Store, _scratch, _timeProvider);
        try
        {
            var expected = partition is null || expectedPartitionValue is null ? null : new Dictionary<string, string?> { [partition] = expectedPartitionValue };
            var adds = await files.WriteAsync(connection, sourceSql, schema, partitionColumns, dataChange: true, cancellationToken,
                tags, emptyPartition, expected).ConfigureAwait(false);
            transaction.AddRange(adds);
            var rows = adds.Sum(a => a.ParsedStats?.NumRecords ?? 0);
            if (snapshot is not null && mode == LakeWriteMode.Replace)
            {
                var replaceSet = replacePartitions is null ? null : new HashSet<string?>(replacePartitions, StringComparer.Ordinal);
                foreach (var live in snapshot.Files)
                {
                    var pv = partition is null ? null : live.PartitionValues.GetValueOrDefault(partition);
                    if (replaceSet is null || replaceSet.Contains(pv))
                    {
                        transaction.Add(new RemoveAction(live.Path, now, true, live.PartitionValues, live.Size, ExtendedFileMetadata: true));
                    }
                }
                if (replaceSet is null)
                {
                    transaction.ReadsWholeTable = true;
                }
                else
                {
                    transaction.ReadPartitions = [.. replaceSet.Select(v => (IReadOnlyDictionary<string, string?>)new Dictionary<string, string?> { [partition!] = v })];
                }
            }
            transaction.AddRange(txns);
            transaction.Metrics["numFiles"] = adds.Count;
            transaction.Metrics["numOutputRows"] = rows;
            transaction.Metrics["numOutputBytes"] = adds.Sum(a => a.Size);
            var committed = await Writer.CommitAsync(transaction, cancellationToken).ConfigureAwait(false);
            if (committed.Skipped)
            {
                // another run already committed this txn: our copies of the files are referenced by nothing
                await files.DeleteWrittenAsync(cancellationToken).ConfigureAwait(false);
            }
            return committed.Version;
        }
        catch (DeltaException)
        {
            await files.DeleteWrittenAsync(CancellationToken.None).ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The table's schema with the definition's columns it lacks appended (all nullable), or null when it has them all.</summary>
    private DeltaSchema? Evolve(DeltaSchema current)
    {
        var added = _schema.Fields.Where(f => current.Find(f.Name) is null).ToList();
        if (added.Count == 0)
        {
            return null;
        }
        if (added.FirstOrDefault(f => !f.Nullable) is { } required)
        {
            throw new DeltaException($"{Definition.FullName} lacks the column {required.Name}, which cannot be added to existing rows because it is not nullable");
        }
        return new DeltaSchema([.. current.Fields, .. added]);
    }

    /// <summary>Formats a partition value the way the log stores it (dates yyyy-MM-dd, numbers invariant).</summary>
    public static string PartitionValue(object value) => value switch
    {
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };

    internal static string Describe(IEnumerable<string> values) =>
        new StringBuilder().AppendJoin(',', values.Take(5)).ToString();
}
