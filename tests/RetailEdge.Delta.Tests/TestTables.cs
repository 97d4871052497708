using RetailEdge.Delta.Storage;
using DuckDB.NET.Data;

namespace RetailEdge.Delta.Tests;

/// <summary>Helpers shared by the Delta tests: golden table paths, table handles, row reading through DuckDB.</summary>
internal static class TestTables
{
    public static string Golden(string name) =>
        Path.Combine(AppContext.BaseDirectory, "TestData", "delta-golden", name);

    public static DeltaTable Open(string path, DuckDBConnection database, TimeProvider? time = null, DeltaTableOptions? options = null) =>
        DeltaTable.Open(new LocalDeltaLogStore(path), database, time, options);

    /// <summary>All rows of the table at a version as text, ordered by every column.</summary>
    public static async Task<List<string[]>> ReadRowsAsync(DeltaTable table, DuckDBConnection connection, long? version = null)
    {
        var snapshot = await table.GetSnapshotAsync(version, CancellationToken.None);
        var select = await table.BuildSelectAsync(connection, snapshot, CancellationToken.None);
        var columns = snapshot.Schema.Fields.Select(f => "\"" + f.Name + "\"").ToList();
        var text = string.Join(", ", columns.Select(c => $"CAST({c} AS VARCHAR)"));
        var order = string.Join(", ", Enumerable.Range(1, columns.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        using var result = connection.Query($"SELECT {text} FROM ({select}) ORDER BY {order}");
        var rows = new List<string[]>();
        while (result.Read())
        {
            var row = new string[columns.Count];
            for (var i = 0; i < columns.Count; i++)
            {
                row[i] = result.IsDBNull(i) ? "NULL" : result.GetString(i);
            }
            rows.Add(row);
        }
        return rows;
    }

    public static DuckDBConnection Connect(DuckDBConnection database)
    {
        var connection = database.Connect();
        connection.Execute("SET TimeZone='UTC'");
        return connection;
    }
}
