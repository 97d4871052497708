namespace RetailEdge.DuckDb;

/// <summary>
/// Quoting for the few places DuckDB does not accept parameters (identifiers, and file paths or
/// options in COPY … TO 'path', read_parquet('path') in some positions, SET …). Everything
/// else is bound as a parameter.
/// </summary>
public static class DuckDbSql
{
    /// <summary>"name" with embedded quotes doubled (SQL standard identifier quoting).</summary>
    public static string QuoteIdentifier(string identifier)
    {
        ArgumentNullException.ThrowIfNull(identifier);
        RejectNul(identifier, nameof(identifier));
        if (identifier.Length == 0)
        {
            throw new ArgumentException("An identifier must not be empty.", nameof(identifier));
        }
        return "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    }

    /// <summary>'text' with embedded single quotes doubled. DuckDB string literals have no
    /// backslash escapes, so doubling quotes is complete.</summary>
    public static string QuoteLiteral(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        RejectNul(value, nameof(value));
        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    /// <summary>schema.table with both parts quoted.</summary>
    public static string QuoteQualified(string schema, string name) => QuoteIdentifier(schema) + "." + QuoteIdentifier(name);

    private static void RejectNul(string value, string parameterName)
    {
        if (value.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException("SQL text must not contain NUL characters.", parameterName);
        }
    }
}
