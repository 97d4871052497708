using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using RetailEdge.Delta;
using RetailEdge.Delta.Storage;
using DuckDB.NET.Data;

namespace RetailEdge.Cli;

/// <summary>The lake commands on one opened table; output goes to Console.Out.</summary>
internal sealed class LakeSession(DeltaTable table, DuckDBConnection connection)
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public async Task<int> InspectAsync(long? version, bool json, CancellationToken cancellationToken)
    {
        var snapshot = await SnapshotAsync(version, cancellationToken).ConfigureAwait(false);
        var numRecords = snapshot.NumRecordsFromStats ?? await CountRowsAsync(snapshot, cancellationToken).ConfigureAwait(false);
        var schema = new JsonArray();
        foreach (var field in snapshot.Schema.Fields)
        {
            schema.Add(new JsonObject
            {
                ["name"] = field.Name,
                ["type"] = field.Type.IsPrimitive ? JsonValue.Create(field.Type.Name) : JsonNode.Parse(field.Type.ToString()),
                ["nullable"] = field.Nullable,
            });
        }
        var result = new JsonObject
        {
            ["version"] = snapshot.Version,
            ["minReaderVersion"] = snapshot.Protocol.MinReaderVersion,
            ["minWriterVersion"] = snapshot.Protocol.MinWriterVersion,
            ["partitionColumns"] = new JsonArray([.. snapshot.PartitionColumns.Select(c => (JsonNode)JsonValue.Create(c))]),
            ["schema"] = schema,
            ["numFiles"] = snapshot.Files.Count,
            ["numRecords"] = numRecords,
        };
        if (json)
        {
            await Console.Out.WriteLineAsync(result.ToJsonString()).ConfigureAwait(false);
            return 0;
        }
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"table       {table.Store.Location}");
        text.AppendLine(CultureInfo.InvariantCulture, $"version     {snapshot.Version}");
        text.AppendLine(CultureInfo.InvariantCulture, $"protocol    reader {snapshot.Protocol.MinReaderVersion}, writer {snapshot.Protocol.MinWriterVersion}");
        text.AppendLine(CultureInfo.InvariantCulture, $"partitions  {(snapshot.PartitionColumns.Count == 0 ? "(none)" : string.Join(", ", snapshot.PartitionColumns))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"files       {snapshot.Files.Count}");
        text.AppendLine(CultureInfo.InvariantCulture, $"records     {(numRecords is null ? "unknown" : numRecords.Value.ToString(CultureInfo.InvariantCulture))}");
        text.AppendLine("schema");
        foreach (var field in snapshot.Schema.Fields)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {field.Name} {field.Type}{(field.Nullable ? string.Empty : " NOT NULL")}");
        }
        await Console.Out.WriteAsync(text.ToString()).ConfigureAwait(false);
        return 0;
    }

    public async Task<int> ShowAsync(long? version, int? limit, bool json, CancellationToken cancellationToken)
    {
        var snapshot = await SnapshotAsync(version, cancellationToken).ConfigureAwait(false);
        var select = await table.BuildSelectAsync(connection, snapshot, cancellationToken).ConfigureAwait(false);
        var limitClause = limit is { } l ? " LIMIT " + l.ToString(CultureInfo.InvariantCulture) : string.Empty;
        var ordered = $"SELECT * FROM ({select}) ORDER BY ALL{limitClause}";
        var output = Console.Out;
        try
        {
            if (json)
            {
                using var result = connection.Query($"SELECT CAST(to_json(__row) AS VARCHAR) FROM ({ordered}) __row", cancellationToken, streaming: true);
                await output.WriteAsync('[').ConfigureAwait(false);
                var first = true;
                while (result.Read())
                {
                    await output.WriteAsync((first ? "\n  " : ",\n  ") + result.GetString(0)).ConfigureAwait(false);
                    first = false;
                }
                await output.WriteLineAsync(first ? "]" : "\n]").ConfigureAwait(false);
                return 0;
            }
            var columns = snapshot.Schema.Fields.Select(f => f.Name).ToList();
            var text = string.Join(", ", columns.Select((c, i) => $"CAST(\"{c.Replace("\"", "\"\"", StringComparison.Ordinal)}\" AS VARCHAR)"));
            using var rows = connection.Query($"SELECT {(columns.Count == 0 ? "1" : text)} FROM ({ordered})", cancellationToken, streaming: true);
            await output.WriteLineAsync(string.Join(",", columns.Select(Csv))).ConfigureAwait(false);
            while (rows.Read())
            {
                var line = new StringBuilder();
                for (var i = 0; i < columns.Count; i++)
                {
                    if (i > 0)
                    {
                        line.Append(',');
                    }
                    // NULL is an empty field; an empty string is a quoted empty field
                    line.Append(rows.IsDBNull(i) ? string.Empty : Csv(rows.GetString(i), quoteEmpty: true));
                }
                await output.WriteLineAsync(line.ToString()).ConfigureAwait(false);
            }
            return 0;
        }
        catch (DuckDBException ex)
        {
            throw new DeltaException("data files could not be read: " + ex.Message, ex);
        }
    }

    public async Task<int> HistoryAsync(int? limit, bool json, CancellationToken cancellationToken)
    {
        var history = await table.HistoryAsync(limit, cancellationToken).ConfigureAwait(false);
        var array = new JsonArray();
        foreach (var (version, info) in history)
        {
            array.Add(new JsonObject
            {
                ["version"] = version,
                ["timestamp"] = info?.Timestamp is { } ts ? DateTimeOffset.FromUnixTimeMilliseconds(ts).ToString("O", CultureInfo.InvariantCulture) : null,
                ["operation"] = info?.Operation,
                ["readVersion"] = info?.ReadVersion,
                ["isBlindAppend"] = info?.IsBlindAppend,
                ["operationParameters"] = info?.Value["operationParameters"]?.DeepClone(),
                ["operationMetrics"] = info?.Value["operationMetrics"]?.DeepClone(),
            });
        }
        if (json)
        {
            await Console.Out.WriteLineAsync(array.ToJsonString(Indented)).ConfigureAwait(false);
            return 0;
        }
        foreach (var entry in array)
        {
            await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{entry!["version"],6}  {entry["timestamp"]?.GetValue<string>() ?? "-",-33}  {entry["operation"]?.GetValue<string>() ?? "-"}  {entry["operationMetrics"]?.ToJsonString() ?? string.Empty}")).ConfigureAwait(false);
        }
        return 0;
    }

    public async Task<int> OptimizeAsync(CancellationToken cancellationToken)
    {
        var result = await table.OptimizeAsync(connection, cancellationToken).ConfigureAwait(false);
        await Console.Out.WriteLineAsync(result.Version is null
            ? "nothing to compact"
            : string.Create(CultureInfo.InvariantCulture,
                $"version {result.Version}: compacted {result.FilesRemoved} files into {result.FilesAdded} in {result.PartitionsCompacted} partitions")).ConfigureAwait(false);
        return 0;
    }

    public async Task<int> VacuumAsync(TimeSpan retention, bool dryRun, CancellationToken cancellationToken)
    {
        var result = await table.VacuumAsync(retention, dryRun, cancellationToken).ConfigureAwait(false);
        foreach (var path in result.Deleted)
        {
            await Console.Out.WriteLineAsync((dryRun ? "would delete " : "deleted ") + path).ConfigureAwait(false);
        }
        await Console.Out.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"{result.Deleted.Count} files {(dryRun ? "to delete" : "deleted")}, {result.KeptWithinRetention} unreferenced files kept within the retention")).ConfigureAwait(false);
        return 0;
    }

    private async Task<DeltaSnapshot> SnapshotAsync(long? version, CancellationToken cancellationToken)
    {
        if (version is { } wanted)
        {
            var latest = await table.Log.LatestVersionAsync(cancellationToken).ConfigureAwait(false);
            if (wanted > latest)
            {
                throw new LakeInputException(string.Create(CultureInfo.InvariantCulture, $"--version {wanted} does not exist; the latest version is {latest}"));
            }
        }
        return await table.GetSnapshotAsync(version, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Counts rows by reading the data files; null when they cannot be read (e.g. files only in the log).</summary>
    private async Task<long?> CountRowsAsync(DeltaSnapshot snapshot, CancellationToken cancellationToken)
    {
        try
        {
            var select = await table.BuildSelectAsync(connection, snapshot, cancellationToken).ConfigureAwait(false);
            return connection.Scalar<long>($"SELECT count(*) FROM ({select})");
        }
        catch (Exception ex) when (ex is DeltaException or DuckDBException)
        {
            return null;
        }
    }

    private static string Csv(string value) => Csv(value, quoteEmpty: false);

    private static string Csv(string value, bool quoteEmpty)
    {
        if ((quoteEmpty && value.Length == 0) || value.AsSpan().IndexOfAny(",\"\r\n") >= 0)
        {
            return "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        }
        return value;
    }
}
