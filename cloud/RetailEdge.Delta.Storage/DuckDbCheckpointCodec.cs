using System.Text;
using RetailEdge.Delta.Actions;
using DuckDB.NET.Data;

namespace RetailEdge.Delta.Storage;

/// <summary>
/// Checkpoints through DuckDB: read with read_parquet (each action column is a nullable struct,
/// turned back into the action's JSON with to_json), written from NDJSON with the checkpoint
/// schema (PROTOCOL.md "Checkpoint Schema") to Parquet with ZSTD.
/// </summary>
public sealed class DuckDbCheckpointCodec : ICheckpointCodec
{
    private static readonly string[] ActionColumns = ["txn", "add", "remove", "metaData", "protocol"];

    private const string MapType = "MAP(VARCHAR, VARCHAR)";

    /// <summary>The checkpoint columns as DuckDB types; the struct field names are the protocol's.</summary>
    private static readonly string CheckpointColumns =
        "{txn: 'STRUCT(appId VARCHAR, \"version\" BIGINT, lastUpdated BIGINT)', "
        + $"add: 'STRUCT(path VARCHAR, partitionValues {MapType}, size BIGINT, modificationTime BIGINT, dataChange BOOLEAN, stats VARCHAR, tags {MapType})', "
        + $"remove: 'STRUCT(path VARCHAR, deletionTimestamp BIGINT, dataChange BOOLEAN, extendedFileMetadata BOOLEAN, partitionValues {MapType}, size BIGINT)', "
        + $"metaData: 'STRUCT(id VARCHAR, \"name\" VARCHAR, description VARCHAR, format STRUCT(provider VARCHAR, \"options\" {MapType}), schemaString VARCHAR, partitionColumns VARCHAR[], \"configuration\" {MapType}, createdTime BIGINT)', "
        + "protocol: 'STRUCT(minReaderVersion INTEGER, minWriterVersion INTEGER, readerFeatures VARCHAR[], writerFeatures VARCHAR[])'}";

    private readonly DuckDBConnection _database;
    private readonly string _scratch;

    /// <param name="database">the DuckDB database to run on (a connection is opened per call)</param>
    /// <param name="scratchDirectory">where remote checkpoints are staged; null uses the system temp folder</param>
    public DuckDbCheckpointCodec(DuckDBConnection database, string? scratchDirectory = null)
    {
        _database = database ?? throw new ArgumentNullException(nameof(database));
        _scratch = scratchDirectory ?? Path.GetTempPath();
    }

    public async Task<IReadOnlyList<DeltaAction>> ReadAsync(IDeltaLogStore store, IReadOnlyList<string> partPaths, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(partPaths);
        var staged = new List<string>();
        var local = new List<string>();
        try
        {
            foreach (var part in partPaths)
            {
                if (store is LocalDeltaLogStore localStore)
                {
                    local.Add(localStore.FullPath(part));
                    continue;
                }
                var file = Path.Combine(_scratch, $"retailedge-checkpoint-{Guid.NewGuid():N}.parquet");
                staged.Add(file);
                if (!await store.DownloadAsync(part, file, cancellationToken).ConfigureAwait(false))
                {
                    throw new DeltaException($"checkpoint part {part} vanished at {store.Location}");
                }
                local.Add(file);
            }
            return ReadLocal(local, string.Join(", ", partPaths));
        }
        finally
        {
            foreach (var file in staged)
            {
                File.Delete(file);
            }
        }
    }

    public async Task<long> WriteAsync(IDeltaLogStore store, DeltaSnapshot snapshot, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(snapshot);
        var target = DeltaLogFile.LogFolder + "/" + DeltaLogFile.CheckpointName(snapshot.Version);
        var id = Guid.NewGuid().ToString("N");
        var json = Path.Combine(_scratch, $"retailedge-checkpoint-{id}.json");
        var parquet = Path.Combine(_scratch, $"retailedge-checkpoint-{id}.parquet");
        try
        {
            var actions = new List<DeltaAction> { snapshot.Protocol, snapshot.Metadata };
            actions.AddRange(snapshot.Transactions.Values);
            actions.AddRange(snapshot.Files);
            // unexpired tombstones stay in the checkpoint so vacuum keeps honouring them
            actions.AddRange(snapshot.Tombstones);
            var builder = new StringBuilder();
            foreach (var action in actions)
            {
                builder.Append(DeltaLogCodec.ToJson(action).ToJsonString()).Append('\n');
            }
            await File.WriteAllTextAsync(json, builder.ToString(), cancellationToken).ConfigureAwait(false);
            using (var connection = _database.Connect())
            {
                connection.Execute(
                    $"COPY (SELECT txn, \"add\", remove, metaData, protocol FROM read_json({DuckDbSql.Literal(json)}, format='newline_delimited', columns={CheckpointColumns})) "
                    + $"TO {DuckDbSql.Literal(parquet)} (FORMAT parquet, COMPRESSION zstd)");
            }
            var existing = await store.ListAsync(target, cancellationToken).ConfigureAwait(false);
            if (existing.Count == 0)
            {
                try
                {
                    await store.UploadAsync(parquet, target, cancellationToken).ConfigureAwait(false);
                }
                catch (IOException)
                {
                    // another writer checkpointed the same version first: same content, nothing to do
                }
            }
            return actions.Count;
        }
        catch (DuckDBException ex)
        {
            throw new DeltaException($"writing checkpoint {snapshot.Version} at {store.Location} failed: {ex.Message}", ex);
        }
        finally
        {
            File.Delete(json);
            File.Delete(parquet);
        }
    }

    private List<DeltaAction> ReadLocal(IReadOnlyList<string> files, string name)
    {
        try
        {
            using var connection = _database.Connect();
            var source = $"read_parquet({DuckDbSql.LiteralList(files)}, union_by_name=true)";
            var present = new List<string>();
            using (var describe = connection.Query($"DESCRIBE SELECT * FROM {source}"))
            {
                while (describe.Read())
                {
                    var column = describe.GetString(0);
                    if (ActionColumns.Contains(column, StringComparer.Ordinal))
                    {
                        present.Add(column);
                    }
                }
            }
            var actions = new List<DeltaAction>();
            if (present.Count == 0)
            {
                return actions;
            }
            // one JSON action line per row, built by DuckDB: parsed once on this side
            var line = string.Join(" ", present.Select(c =>
                $"WHEN {DuckDbSql.Identifier(c)}.{DuckDbSql.Identifier(KeyField(c))} IS NOT NULL THEN '{{\"{c}\":' || CAST(to_json({DuckDbSql.Identifier(c)}) AS VARCHAR) || '}}'"));
            using var result = connection.Query($"SELECT CASE {line} END FROM {source}");
            while (result.Read())
            {
                if (result.IsDBNull(0))
                {
                    continue;
                }
                actions.Add(DeltaLogCodec.ParseAction(Encoding.UTF8.GetBytes(result.GetString(0))));
            }
            return actions;
        }
        catch (DuckDBException ex)
        {
            throw new DeltaException($"checkpoint {name} could not be read: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new DeltaException($"checkpoint {name} holds a malformed action: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// The field every real action of a column has; some writers store an all-null struct instead
    /// of a null one, and such rows carry no action.
    /// </summary>
    private static string KeyField(string column) => column switch
    {
        "add" or "remove" => "path",
        "txn" => "appId",
        "metaData" => "id",
        _ => "minReaderVersion",
    };
}
