namespace RetailEdge.StoreGateway.Core;

/// <summary>Free space of the volume that holds a folder (statvfs on Linux: the mounted volume, not the root file system).</summary>
public static class DiskSpace
{
    /// <summary>Bytes available to this process at <paramref name="directory"/>; -1 when the file system cannot say.</summary>
    public static long FreeBytes(string directory)
    {
        try
        {
            return new DriveInfo(Path.GetFullPath(directory)).AvailableFreeSpace;
        }
        catch (Exception e) when (e is IOException or ArgumentException or UnauthorizedAccessException)
        {
            return -1;
        }
    }
}
