namespace RetailEdge.Delta.Storage;

/// <summary>Validation of relative store paths: no rooted paths, no '..', no backslashes, no empty segments.</summary>
public static class StorePath
{
    public static string Validate(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0 || path.Length > 1024 || path[0] == '/' || path.Contains('\\', StringComparison.Ordinal)
            || path.Contains('\0', StringComparison.Ordinal)
            || path.Split('/').Any(segment => segment is "" or "." or ".."))
        {
            throw new ArgumentException($"'{path}' is not a valid relative table path", nameof(path));
        }
        return path;
    }
}
