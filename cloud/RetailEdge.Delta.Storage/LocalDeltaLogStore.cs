using RetailEdge.LocalFiles;

namespace RetailEdge.Delta.Storage;

/// <summary>
/// A table in a local folder. Put-if-absent writes the bytes to a private temporary file first
/// and publishes it with link(2) (<see cref="LocalFilePublisher"/>), so the commit file appears
/// atomically and complete: a reader never sees a half-written commit, and when two writers race
/// exactly one publish succeeds (the same guarantee as FileMode.CreateNew, without the partial file).
/// </summary>
public sealed class LocalDeltaLogStore : IDeltaLogStore
{
    private readonly string _root;

    public LocalDeltaLogStore(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        _root = Path.GetFullPath(root.StartsWith("file:", StringComparison.Ordinal) ? new Uri(root).LocalPath : root);
    }

    public string Location => _root;

    public string? LocalRoot => _root;

    public Task<IReadOnlyList<LogStoreEntry>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var slash = prefix.LastIndexOf('/');
        var folder = slash < 0 ? _root : Path.Combine(_root, StorePath.Validate(prefix[..slash]));
        var result = new List<LogStoreEntry>();
        if (Directory.Exists(folder))
        {
            var options = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true };
            foreach (var file in new DirectoryInfo(folder).EnumerateFiles("*", options))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var relative = Path.GetRelativePath(_root, file.FullName).Replace(Path.DirectorySeparatorChar, '/');
                if (!relative.StartsWith(prefix, StringComparison.Ordinal))
                {
                    continue;
                }
                try
                {
                    result.Add(new LogStoreEntry(relative, file.Length, file.LastWriteTimeUtc));
                }
                catch (FileNotFoundException)
                {
                    // gone between listing and stat: a concurrent writer's temp file renamed into
                    // place, or a vacuum; a listing is a snapshot of what exists, so skip it
                }
            }
        }
        return Task.FromResult<IReadOnlyList<LogStoreEntry>>(result);
    }

    public async Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            return await File.ReadAllBytesAsync(FullPath(path), cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    public async Task<bool> TryCreateAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var target = FullPath(path);
        if (File.Exists(target))
        {
            return false;
        }
        var temp = await WriteTempAsync(target, content, cancellationToken).ConfigureAwait(false);
        return Publish(temp, target);
    }

    public async Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var target = FullPath(path);
        var temp = await WriteTempAsync(target, content, cancellationToken).ConfigureAwait(false);
        // rename is atomic: readers see the old or the new content, never a mix
        File.Move(temp, target, overwrite: true);
    }

    public async Task UploadAsync(string localFile, string path, CancellationToken cancellationToken)
    {
        var target = FullPath(path);
        var full = Path.GetFullPath(localFile);
        if (full == target)
        {
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = TempName(target);
        await using (var source = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true))
        await using (var destination = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
        {
            await source.CopyToAsync(destination, cancellationToken).ConfigureAwait(false);
            destination.Flush(flushToDisk: true);
        }
        if (!Publish(temp, target))
        {
            throw new IOException($"{path} already exists in {_root}; data files are never overwritten");
        }
    }

    public Task<bool> DownloadAsync(string path, string localFile, CancellationToken cancellationToken)
    {
        var source = FullPath(path);
        if (!File.Exists(source))
        {
            return Task.FromResult(false);
        }
        File.Copy(source, localFile, overwrite: true);
        return Task.FromResult(true);
    }

    public Task DeleteAsync(string path, CancellationToken cancellationToken)
    {
        File.Delete(FullPath(path));
        return Task.CompletedTask;
    }

    /// <summary>The absolute local path of a relative table path.</summary>
    public string FullPath(string path) =>
        Path.Combine(_root, StorePath.Validate(path).Replace('/', Path.DirectorySeparatorChar));

    private static string TempName(string target) =>
        Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");

    private static async Task<string> WriteTempAsync(string target, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = TempName(target);
        await using var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, useAsync: true);
        await stream.WriteAsync(content, cancellationToken).ConfigureAwait(false);
        stream.Flush(flushToDisk: true);
        return temp;
    }

    private static bool Publish(string temp, string target)
    {
        if (LocalFilePublisher.TryPublishNoReplace(temp, target))
        {
            return true;
        }
        File.Delete(temp);
        return false;
    }
}
