using System.Text;

namespace RetailEdge.BlobStorage;

/// <summary>Validation and escaping of container and blob names (Naming and Referencing Containers, Blobs, and Metadata).</summary>
public static class BlobNames
{
    /// <summary>3-63 characters: lowercase letters, digits and hyphens, starting with a letter or digit,
    /// no two hyphens in a row; or one of the special containers.</summary>
    public static bool IsValidContainerName(string name)
    {
        if (name is "$root" or "$logs" or "$web")
        {
            return true;
        }
        if (name.Length is < 3 or > 63 || name[0] == '-' || name[^1] == '-' || name.Contains("--", StringComparison.Ordinal))
        {
            return false;
        }
        foreach (var c in name)
        {
            if (!(c is >= 'a' and <= 'z' or >= '0' and <= '9' or '-'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>1-1024 characters, no control characters, not ending in '.' or '/'... the service refuses
    /// names ending with a dot or slash segment, so they are refused here with a clear error.</summary>
    public static bool IsValidBlobName(string name) =>
        name.Length is >= 1 and <= 1024 && !name.Any(char.IsControl) && !name.EndsWith('/') && !name.EndsWith('.') && !name.StartsWith('/');

    internal static void RequireContainer(string name)
    {
        if (!IsValidContainerName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid container name (3-63 lowercase letters, digits and single hyphens).", nameof(name));
        }
    }

    internal static void RequireBlob(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!IsValidBlobName(name))
        {
            throw new ArgumentException($"'{name}' is not a valid blob name (1-1024 characters, no control characters, not starting with '/' or ending with '/' or '.').", nameof(name));
        }
    }

    /// <summary>Escapes each '/'-separated segment of a blob name for the URL path.</summary>
    public static string EscapePath(string name)
    {
        var builder = new StringBuilder(name.Length + 16);
        var first = true;
        foreach (var segment in name.Split('/'))
        {
            if (!first)
            {
                builder.Append('/');
            }
            builder.Append(Uri.EscapeDataString(segment));
            first = false;
        }
        return builder.ToString();
    }
}
