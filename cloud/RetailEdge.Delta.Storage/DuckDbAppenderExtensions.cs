using DuckDB.NET.Data;

namespace RetailEdge.Delta.Storage;

/// <summary>Appends a value whose type is known only at run time (rows built as object arrays).</summary>
public static class DuckDbAppenderExtensions
{
    /// <summary>Appends <paramref name="value"/> through the typed overload for its CLR type; null and DBNull append NULL.</summary>
    /// <exception cref="ArgumentException">the type has no DuckDB mapping here</exception>
    public static IDuckDBAppenderRow AppendObject(this IDuckDBAppenderRow row, object? value)
    {
        ArgumentNullException.ThrowIfNull(row);
        return value switch
        {
            null or DBNull => row.AppendNullValue(),
            string s => row.AppendValue(s),
            bool b => row.AppendValue(b),
            sbyte v => row.AppendValue(v),
            short v => row.AppendValue(v),
            int v => row.AppendValue(v),
            long v => row.AppendValue(v),
            byte v => row.AppendValue(v),
            ushort v => row.AppendValue(v),
            uint v => row.AppendValue(v),
            ulong v => row.AppendValue(v),
            float v => row.AppendValue(v),
            double v => row.AppendValue(v),
            decimal v => row.AppendValue(v),
            DateOnly v => row.AppendValue(v),
            TimeOnly v => row.AppendValue(v),
            DateTime v => row.AppendValue(v),
            DateTimeOffset v => row.AppendValue(v),
            TimeSpan v => row.AppendValue(v),
            Guid v => row.AppendValue(v),
            byte[] v => row.AppendValue(v),
            ReadOnlyMemory<byte> v => row.AppendValue(v.ToArray()),
            _ => throw new ArgumentException($"values of type {value.GetType()} cannot be appended to DuckDB", nameof(value)),
        };
    }
}
