namespace RetailEdge.Delta;

/// <summary>
/// Storage under one table root, addressed by relative paths with '/' separators. The one
/// guarantee the log needs is <see cref="TryCreateAsync"/>: an atomic put-if-absent, so two
/// writers can never both create the same commit file.
/// </summary>
public interface IDeltaLogStore
{
    /// <summary>The table location for messages (a folder or a URL without credentials).</summary>
    string Location { get; }

    /// <summary>A local folder holding the table files when the store is the local file system; otherwise null.</summary>
    string? LocalRoot { get; }

    /// <summary>All files whose relative path starts with <paramref name="prefix"/> (recursive).</summary>
    Task<IReadOnlyList<LogStoreEntry>> ListAsync(string prefix, CancellationToken cancellationToken);

    /// <summary>The file's bytes, or null when it does not exist.</summary>
    Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken);

    /// <summary>Creates the file only when absent; false when it already exists (nothing is written then).</summary>
    Task<bool> TryCreateAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Creates or replaces a file (only for files that may be replaced, like _last_checkpoint).</summary>
    Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken);

    /// <summary>Copies a local file to a new path in the store (data files, checkpoints).</summary>
    Task UploadAsync(string localFile, string path, CancellationToken cancellationToken);

    /// <summary>Copies a store file to a local file; false when it does not exist.</summary>
    Task<bool> DownloadAsync(string path, string localFile, CancellationToken cancellationToken);

    /// <summary>Deletes a file; no error when it is already gone.</summary>
    Task DeleteAsync(string path, CancellationToken cancellationToken);
}
