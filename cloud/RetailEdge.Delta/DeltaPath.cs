using System.Text;

namespace RetailEdge.Delta;

/// <summary>
/// Path rules of the log: add/remove paths are URIs (relative to the table root or absolute),
/// decoded exactly once; absolute paths and `file:` URIs of the same file reconcile (PROTOCOL.md
/// "Add File and Remove File"); partition folders use Hive-style escaping.
/// </summary>
public static class DeltaPath
{
    /// <summary>The folder name Hive and Spark use for a null partition value.</summary>
    public const string HiveDefaultPartition = "__HIVE_DEFAULT_PARTITION__";

    /// <summary>
    /// The key under which replay reconciles add and remove actions: the URI-decoded path with
    /// any `file:` scheme stripped; an absolute path under <paramref name="tableRoot"/> becomes relative.
    /// </summary>
    public static string Canonicalize(string path, string? tableRoot = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        var decoded = Decode(path);
        if (decoded.StartsWith("file:", StringComparison.Ordinal))
        {
            decoded = decoded["file:".Length..];
            // file:///x and file:/x name the same absolute path
            if (decoded.StartsWith("///", StringComparison.Ordinal))
            {
                decoded = decoded[2..];
            }
            else if (decoded.StartsWith("//", StringComparison.Ordinal))
            {
                // file://host/x: keep the host segment out of the key, it is always local here
                var slash = decoded.IndexOf('/', 2);
                decoded = slash < 0 ? "/" : decoded[slash..];
            }
        }
        if (tableRoot is not null && decoded.StartsWith('/'))
        {
            var root = Canonicalize(tableRoot).TrimEnd('/') + "/";
            if (decoded.StartsWith(root, StringComparison.Ordinal))
            {
                decoded = decoded[root.Length..];
            }
        }
        return decoded;
    }

    /// <summary>True when a (decoded) path is absolute rather than relative to the table root.</summary>
    public static bool IsAbsolute(string decodedPath) =>
        decodedPath.StartsWith('/') || decodedPath.Contains("://", StringComparison.Ordinal);

    /// <summary>URI-decodes a log path once (a literal "%25" in a log path means '%' in the file name).</summary>
    public static string Decode(string path) => Uri.UnescapeDataString(path);

    /// <summary>
    /// Encodes a relative file path for the log: characters outside the URI unreserved set (and
    /// '/', '=', '@') are percent-encoded so that <see cref="Decode"/> gives the path back.
    /// </summary>
    public static string Encode(string relativePath)
    {
        ArgumentNullException.ThrowIfNull(relativePath);
        var builder = new StringBuilder(relativePath.Length);
        foreach (var b in Encoding.UTF8.GetBytes(relativePath))
        {
            var c = (char)b;
            if (c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
                or '-' or '_' or '.' or '~' or '/' or '=' or '@')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }
        return builder.ToString();
    }

    /// <summary>
    /// Escapes a partition value for a folder name the way Hive/Spark do (escapePathName): control
    /// characters and " # % ' * / : = ? \ DEL { [ ] ^ become %XX; null or empty gives the default partition.
    /// </summary>
    public static string EscapePartitionValue(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return HiveDefaultPartition;
        }
        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c < 0x20 || c == 0x7F || c is '"' or '#' or '%' or '\'' or '*' or '/' or ':' or '=' or '?' or '\\' or '{' or '[' or ']' or '^')
            {
                builder.Append('%').Append(((int)c).ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    /// <summary>The Hive-style folder for partition values in column order, e.g. "date=2024-01-01/store=S%3A1".</summary>
    public static string PartitionFolder(IReadOnlyList<string> partitionColumns, IReadOnlyDictionary<string, string?> values)
    {
        ArgumentNullException.ThrowIfNull(partitionColumns);
        ArgumentNullException.ThrowIfNull(values);
        return string.Join('/', partitionColumns.Select(c =>
            EscapePartitionValue(c) + "=" + EscapePartitionValue(values.TryGetValue(c, out var v) ? v : null)));
    }
}
