using RetailEdge.LocalFiles;
namespace RetailEdge.HubEmulator.Routing;

/// <summary>
/// Writes routed batches under a local folder: the content goes to a hidden temp file in the
/// target folder, is flushed to disk, and is then moved to its final name without overwrite,
/// so a reader never sees a partial file.
/// </summary>
public sealed class FolderRoutingSink : IRoutingSink
{
    private const int MaxSuffix = 999;
    private readonly string _root;

    public FolderRoutingSink(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        _root = Path.GetFullPath(root);
    }

    public string Description => "folder " + _root;

    public async Task<string> WriteNewAsync(string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var target = Path.GetFullPath(Path.Combine(_root, name));
        if (!target.StartsWith(_root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"routing name '{name}' leaves the routing folder", nameof(name));
        }
        var directory = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        try
        {
            // fsync blocks for as long as the disk takes: on its own thread, not a pool thread that
            // MQTT sessions need for their acknowledgements
            await Task.Factory.StartNew(() => WriteAndSync(temp, content), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            for (var n = 0; n <= MaxSuffix; n++)
            {
                var candidate = n == 0 ? target : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{target}-{n:00}");
                if (File.Exists(candidate))
                {
                    continue;
                }
                // publish only under a free name (another emulator may write to the same folder);
                // a name taken between the check and the publish sends us to the next suffix
                if (LocalFilePublisher.TryPublishNoReplace(temp, candidate))
                {
                    return n == 0 ? name : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{name}-{n:00}");
                }
            }
            throw new IOException($"more than {MaxSuffix} batches for {name}");
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    private static void WriteAndSync(string path, ReadOnlyMemory<byte> content)
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024);
        stream.Write(content.Span);
        stream.Flush(flushToDisk: true);
    }
}
