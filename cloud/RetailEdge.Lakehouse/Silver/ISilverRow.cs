using DuckDB.NET.Data;

namespace RetailEdge.Lakehouse.Silver;

/// <summary>A row of one silver table, which appends its own cells in that table's column order (<see cref="LakeTables"/>).</summary>
internal interface ISilverRow
{
    /// <summary>The event_date partition the row falls into.</summary>
    DateOnly EventDate { get; }

    void AppendTo(IDuckDBAppenderRow cells);
}
