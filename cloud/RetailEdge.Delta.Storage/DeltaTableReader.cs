using System.Security.Cryptography;
using System.Text;
using RetailEdge.Delta.Actions;
using DuckDB.NET.Data;

namespace RetailEdge.Delta.Storage;

/// <summary>
/// Turns a snapshot into DuckDB SQL that reads its rows: read_parquet over exactly the live files
/// (never a directory glob), columns cast to the table schema (missing columns read as NULL),
/// partition columns taken from the log's partitionValues (never from folder names).
/// </summary>
public static class DeltaTableReader
{
    private const string FileColumn = "__delta_file";

    /// <summary>
    /// A SELECT statement over the snapshot's rows, in schema column order. Remote files are first
    /// downloaded to <paramref name="scratchDirectory"/> (cached by path and size). With
    /// <paramref name="filters"/>, files whose partition values or min/max statistics rule out
    /// every row are neither downloaded nor read (the caller still filters the rows).
    /// </summary>
    public static async Task<string> BuildSelectAsync(
        DuckDBConnection connection, DeltaSnapshot snapshot, IDeltaLogStore store, string? scratchDirectory, CancellationToken cancellationToken,
        IReadOnlyList<DeltaFileFilter>? filters = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(store);
        var schema = snapshot.Schema;
        var partitionColumns = snapshot.PartitionColumns;
        var live = DeltaFileFilter.Select(snapshot.Files, schema, partitionColumns, filters ?? []);
        if (live.Count == 0)
        {
            var empty = schema.Fields.Select(f => $"CAST(NULL AS {DuckDbTypes.ToDuckDb(f.Type)}) AS {DuckDbSql.Identifier(f.Name)}");
            return $"SELECT {string.Join(", ", empty)} WHERE false";
        }
        var files = new List<(string Local, AddAction Add)>();
        foreach (var add in live)
        {
            files.Add((await LocalFileAsync(store, add, scratchDirectory, cancellationToken).ConfigureAwait(false), add));
        }
        var source = $"read_parquet({DuckDbSql.LiteralList(files.Select(f => f.Local))}, filename={DuckDbSql.Literal(FileColumn)}, union_by_name=true)";
        var physical = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            using var describe = connection.Query($"DESCRIBE SELECT * FROM {source}");
            while (describe.Read())
            {
                physical[describe.GetString(0)] = describe.GetString(1);
            }
        }
        catch (DuckDBException ex)
        {
            throw new DeltaException($"data files of {store.Location} at version {snapshot.Version} could not be read: {ex.Message}", ex);
        }
        var select = new List<string>();
        foreach (var field in schema.Fields)
        {
            var type = DuckDbTypes.ToDuckDb(field.Type);
            var name = DuckDbSql.Identifier(field.Name);
            if (partitionColumns.Contains(field.Name, StringComparer.OrdinalIgnoreCase))
            {
                select.Add($"CAST(__pv.{name} AS {type}) AS {name}");
            }
            else if (physical.TryGetValue(field.Name, out var physicalType))
            {
                // INT96 and other naive timestamps are UTC instants (PROTOCOL.md "Primitive Types")
                var value = field.Type.Name == "timestamp" && physicalType == "TIMESTAMP"
                    ? $"timezone('UTC', __d.{name})"
                    : $"__d.{name}";
                select.Add($"CAST({value} AS {type}) AS {name}");
            }
            else
            {
                select.Add($"CAST(NULL AS {type}) AS {name}");
            }
        }
        var sql = new StringBuilder($"SELECT {string.Join(", ", select)} FROM {source} __d");
        if (partitionColumns.Count > 0)
        {
            var rows = files.Select(f =>
                "(" + DuckDbSql.Literal(f.Local) + ", " + string.Join(", ", partitionColumns.Select(c =>
                {
                    var type = schema.Find(c)?.Type ?? throw new DeltaException($"partition column '{c}' is not in the schema");
                    var value = f.Add.PartitionValues.FirstOrDefault(kv => string.Equals(kv.Key, c, StringComparison.OrdinalIgnoreCase)).Value;
                    var normalized = PartitionValueFormat.Normalize(type, value);
                    return normalized is null ? "CAST(NULL AS VARCHAR)" : DuckDbSql.Literal(normalized);
                })) + ")");
            sql.Append($" JOIN (VALUES {string.Join(", ", rows)}) __pv({FileColumn}, {string.Join(", ", partitionColumns.Select(DuckDbSql.Identifier))})")
                .Append($" ON __d.{FileColumn} = __pv.{FileColumn}");
        }
        return sql.ToString();
    }

    /// <summary>Creates (or replaces) a temporary view over the snapshot's rows.</summary>
    public static async Task CreateViewAsync(
        DuckDBConnection connection, string viewName, DeltaSnapshot snapshot, IDeltaLogStore store, string? scratchDirectory, CancellationToken cancellationToken,
        IReadOnlyList<DeltaFileFilter>? filters = null)
    {
        var select = await BuildSelectAsync(connection, snapshot, store, scratchDirectory, cancellationToken, filters).ConfigureAwait(false);
        connection.Execute($"CREATE OR REPLACE TEMP VIEW {DuckDbSql.Identifier(viewName)} AS {select}");
    }

    /// <summary>Where DuckDB can read a live file: the file itself for local tables, a cached download otherwise.</summary>
    internal static async Task<string> LocalFileAsync(IDeltaLogStore store, AddAction add, string? scratchDirectory, CancellationToken cancellationToken)
    {
        var decoded = DeltaPath.Canonicalize(add.Path, store.LocalRoot ?? store.Location);
        if (store is LocalDeltaLogStore local)
        {
            return DeltaPath.IsAbsolute(decoded) ? decoded : local.FullPath(decoded);
        }
        if (DeltaPath.IsAbsolute(decoded))
        {
            throw new DeltaUnsupportedFeatureException("absolutePaths", $"file '{add.Path}' is outside the table at {store.Location}");
        }
        var cache = Path.Combine(scratchDirectory ?? Path.GetTempPath(), "retailedge-delta-cache");
        Directory.CreateDirectory(cache);
        var key = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(store.Location + "|" + decoded)));
        var file = Path.Combine(cache, key + ".parquet");
        if (File.Exists(file) && new FileInfo(file).Length == add.Size)
        {
            return file;
        }
        var temp = file + "." + Guid.NewGuid().ToString("N") + ".tmp";
        if (!await store.DownloadAsync(decoded, temp, cancellationToken).ConfigureAwait(false))
        {
            throw new DeltaException($"data file '{decoded}' of {store.Location} is missing");
        }
        File.Move(temp, file, overwrite: true);
        return file;
    }
}
