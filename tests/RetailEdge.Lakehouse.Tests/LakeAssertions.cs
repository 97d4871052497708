using RetailEdge.Delta.Storage;
using System.Text;
using DuckDB.NET.Data;

namespace RetailEdge.Lakehouse.Tests;

/// <summary>Reads lake tables into DuckDB views and compares query results row for row.</summary>
internal static class LakeAssertions
{
    public static async Task<bool> ViewAsync(LakeContext lake, DuckDBConnection connection, LakeTableDefinition table, string view)
    {
        var lakeTable = lake.Table(table);
        var snapshot = await lakeTable.TryLoadAsync(CancellationToken.None);
        await lakeTable.CreateViewAsync(connection, view, snapshot?.Files ?? [], CancellationToken.None);
        return snapshot is not null;
    }

    public static long Count(DuckDBConnection connection, string sql) => connection.Scalar<long>($"SELECT count(*) FROM ({sql})");

    /// <summary>Both directions of EXCEPT ALL: equal multisets of rows, or a message showing the first differences.</summary>
    public static string? Difference(DuckDBConnection connection, string actualView, string expectedView)
    {
        var missing = $"SELECT * FROM {expectedView} EXCEPT ALL SELECT * FROM {actualView}";
        var extra = $"SELECT * FROM {actualView} EXCEPT ALL SELECT * FROM {expectedView}";
        var missingCount = Count(connection, missing);
        var extraCount = Count(connection, extra);
        if (missingCount == 0 && extraCount == 0)
        {
            return null;
        }
        var text = new StringBuilder();
        text.Append(actualView).Append(": ").Append(missingCount).Append(" expected rows missing, ").Append(extraCount).AppendLine(" unexpected rows");
        Dump(connection, missing + " ORDER BY ALL LIMIT 5", "  missing ", text);
        Dump(connection, extra + " ORDER BY ALL LIMIT 5", "  extra   ", text);
        return text.ToString();
    }

    private static void Dump(DuckDBConnection connection, string sql, string prefix, StringBuilder text)
    {
        using var result = connection.Query(sql);
        while (result.Read())
        {
            text.Append(prefix);
            for (var c = 0; c < result.FieldCount; c++)
            {
                text.Append(result.IsDBNull(c) ? "NULL" : Convert.ToString(result.GetValue(c), System.Globalization.CultureInfo.InvariantCulture)).Append(" | ");
            }
            text.AppendLine();
        }
    }
}
