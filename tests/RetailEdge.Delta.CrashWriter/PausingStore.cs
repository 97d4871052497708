using RetailEdge.Delta;

namespace RetailEdge.Delta.CrashWriter;

/// <summary>A store that never completes a commit: it announces the moment and hangs until killed.</summary>
internal sealed class PausingStore(IDeltaLogStore inner) : IDeltaLogStore
{
    public string Location => inner.Location;

    public string? LocalRoot => inner.LocalRoot;

    public Task<IReadOnlyList<LogStoreEntry>> ListAsync(string prefix, CancellationToken cancellationToken) => inner.ListAsync(prefix, cancellationToken);

    public Task<byte[]?> ReadAsync(string path, CancellationToken cancellationToken) => inner.ReadAsync(path, cancellationToken);

    public async Task<bool> TryCreateAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        await Console.Out.WriteLineAsync("DATA-WRITTEN " + path).ConfigureAwait(false);
        await Console.Out.FlushAsync(cancellationToken).ConfigureAwait(false);
        await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        return false;
    }

    public Task WriteAsync(string path, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) => inner.WriteAsync(path, content, cancellationToken);

    public Task UploadAsync(string localFile, string path, CancellationToken cancellationToken) => inner.UploadAsync(localFile, path, cancellationToken);

    public Task<bool> DownloadAsync(string path, string localFile, CancellationToken cancellationToken) => inner.DownloadAsync(path, localFile, cancellationToken);

    public Task DeleteAsync(string path, CancellationToken cancellationToken) => inner.DeleteAsync(path, cancellationToken);
}
