namespace RetailEdge.StoreGateway.Core;

/// <summary>
/// A file of reserved space beside the journal (<c>gateway.reserve</c>). When the volume fills up,
/// giving it back lets SQLite open the journal (its shared-memory file and WAL need room) and mark
/// sent batches while the gateway drains in disk_full mode; it is taken again once space is back.
/// </summary>
public sealed class DiskReserve(string dataDirectory, long bytes)
{
    public const string FileName = "gateway.reserve";

    private readonly string _path = Path.Combine(dataDirectory, FileName);

    public long Bytes { get; } = bytes;

    public bool IsHeld => File.Exists(_path) && new FileInfo(_path).Length >= Bytes;

    /// <summary>Takes the reserve (writes the file in full, so the space is really allocated); false when there is no room.</summary>
    public bool TryTake()
    {
        if (Bytes == 0 || IsHeld)
        {
            return true;
        }
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(_path)!);
            using var file = new FileStream(_path, FileMode.Create, FileAccess.Write, FileShare.None);
            var zeros = new byte[64 * 1024];
            for (long written = 0; written < Bytes; written += zeros.Length)
            {
                file.Write(zeros, 0, (int)Math.Min(zeros.Length, Bytes - written));
            }
            file.Flush(flushToDisk: true);
            return true;
        }
        catch (IOException)
        {
            Release();
            return false;
        }
    }

    /// <summary>Gives the reserved space back; true when there was a reserve to give.</summary>
    public bool Release()
    {
        try
        {
            if (!File.Exists(_path))
            {
                return false;
            }
            File.Delete(_path);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
