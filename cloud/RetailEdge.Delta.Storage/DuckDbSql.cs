namespace RetailEdge.Delta.Storage;

/// <summary>
/// Quoting for the few places where DuckDB cannot take a bound parameter (table-function file
/// lists, COPY targets, identifiers). Values from the log are quoted, never pasted.
/// </summary>
public static class DuckDbSql
{
    public static string Identifier(string name)
    {
        Reject(name);
        return "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    public static string Literal(string value)
    {
        Reject(value);
        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    public static string LiteralList(IEnumerable<string> values) => "[" + string.Join(", ", values.Select(Literal)) + "]";

    private static void Reject(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("text contains a NUL character", nameof(text));
        }
    }
}
