using System.Text;

namespace RetailEdge.HubEmulator.Routing;

/// <summary>
/// Picks a routing partition from the device id with a stable hash (32-bit FNV-1a over the
/// UTF-8 bytes), so a device's messages always land in the same partition across runs.
/// </summary>
public static class RoutingPartitioner
{
    public static int PartitionOf(string deviceId, int partitionCount)
    {
        ArgumentNullException.ThrowIfNull(deviceId);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitionCount, 1);
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(deviceId))
        {
            hash ^= b;
            hash *= 16777619u;
        }
        return (int)(hash % (uint)partitionCount);
    }

    /// <summary>The blob/file name of a batch: {hub}/{partition:00}/{YYYY}/{MM}/{DD}/{HH}/{mm}.</summary>
    public static string BlobName(string hubName, int partition, DateTimeOffset batchTime)
    {
        var t = batchTime.UtcDateTime;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"{hubName}/{partition:00}/{t:yyyy}/{t:MM}/{t:dd}/{t:HH}/{t:mm}");
    }
}
