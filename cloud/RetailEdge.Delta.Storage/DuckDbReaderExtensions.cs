using DuckDB.NET.Data;

namespace RetailEdge.Delta.Storage;

/// <summary>Reader conversions DuckDB.NET leaves to the caller.</summary>
public static class DuckDbReaderExtensions
{
    /// <summary>A BLOB column as a byte array (the provider hands BLOBs out as streams over its own buffer).</summary>
    public static byte[] GetBlob(this DuckDBDataReader reader, int ordinal)
    {
        ArgumentNullException.ThrowIfNull(reader);
        using var stream = reader.GetStream(ordinal);
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        return bytes;
    }
}
