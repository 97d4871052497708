using DuckDB.NET.Data;
using RetailEdge.Delta.Storage;

namespace RetailEdge.Lakehouse;

/// <summary>
/// Typed rows appended to a DuckDB table with a lake table's columns, for one write; dropped on dispose.
/// The appender is the one place a row becomes cells in column order: each row type's append
/// function sits next to the type, so no positional array has to match a column list elsewhere.
/// </summary>
internal sealed class StagedRows : IDisposable
{
    private readonly DuckDBConnection _connection;

    private StagedRows(DuckDBConnection connection, string table, int count)
    {
        _connection = connection;
        Table = table;
        Count = count;
    }

    /// <summary>The staging table's name.</summary>
    public string Table { get; }

    /// <summary>How many rows were appended.</summary>
    public int Count { get; }

    public static StagedRows Create<TRow>(DuckDBConnection connection, LakeTableDefinition definition, IEnumerable<TRow> rows,
        Action<IDuckDBAppenderRow, TRow> append)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(append);
        var table = "staged_" + Guid.NewGuid().ToString("N");
        connection.Execute($"CREATE TABLE {table} ({definition.DuckDbColumnList()})");
        try
        {
            var count = 0;
            using (var appender = connection.CreateAppender(table))
            {
                foreach (var row in rows)
                {
                    var cells = appender.CreateRow();
                    append(cells, row);
                    cells.EndRow();
                    count++;
                }
            }
            return new StagedRows(connection, table, count);
        }
        catch
        {
            connection.Execute($"DROP TABLE IF EXISTS {table}");
            throw;
        }
    }

    public void Dispose() => _connection.Execute($"DROP TABLE IF EXISTS {Table}");
}
