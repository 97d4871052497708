namespace RetailEdge.Lakehouse;

/// <summary>
/// Routed files in a local folder (the hub emulator's folder endpoint). Hidden names (a leading
/// '.') and *.tmp are files still being written (the writer renames them when complete): skipped.
/// </summary>
public sealed class FolderTelemetrySource : ITelemetrySource
{
    private readonly string _root;

    public FolderTelemetrySource(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        _root = Path.GetFullPath(root);
    }

    public string Description => "folder " + _root;

    public Task<IReadOnlyList<RoutedFile>> ListAsync(CancellationToken cancellationToken)
    {
        var files = new List<RoutedFile>();
        if (Directory.Exists(_root))
        {
            foreach (var path in Directory.EnumerateFiles(_root, "*", SearchOption.AllDirectories))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var name = Path.GetRelativePath(_root, path).Replace(Path.DirectorySeparatorChar, '/');
                if (name.Split('/').Any(s => s.StartsWith('.')) || name.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
                var info = new FileInfo(path);
                files.Add(new RoutedFile(name, info.Length, new DateTimeOffset(info.LastWriteTimeUtc, TimeSpan.Zero)));
            }
        }
        files.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return Task.FromResult<IReadOnlyList<RoutedFile>>(files);
    }

    public Task<Stream> OpenReadAsync(RoutedFile file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(file);
        var full = Path.GetFullPath(Path.Combine(_root, file.Name));
        if (!full.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"routed file '{file.Name}' is outside the source folder", nameof(file));
        }
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<Stream>(new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024));
    }
}
