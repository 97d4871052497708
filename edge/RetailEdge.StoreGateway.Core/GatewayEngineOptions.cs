using RetailEdge.Contracts.Twin;

namespace RetailEdge.StoreGateway.Core;

/// <summary>Settings of a <see cref="GatewayEngine"/>; <see cref="Validate"/> names the bad setting.</summary>
public sealed record GatewayEngineOptions
{
    public required int StoreId { get; init; }

    /// <summary>The gateway (IoT Edge device) id: batches carry it and message ids are built from it.</summary>
    public required string GatewayId { get; init; }

    public string ModuleId { get; init; } = "StoreGateway";

    /// <summary>Folder of the SQLite journal (gateway.db); a mounted volume in a container.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Settings used until the journal or the twin provides others.</summary>
    public GatewaySettings InitialSettings { get; init; } = GatewaySettings.Default;

    /// <summary>How far ahead of the gateway clock an event may be (clock skew of lanes and scales).</summary>
    public TimeSpan FutureTolerance { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Most events in one journal transaction (group commit).</summary>
    public int MaxEventsPerCommit { get; init; } = 2000;

    /// <summary>How often the engine checks windows and seals when no events arrive.</summary>
    public TimeSpan SealTick { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Least time between two alert-only seals: the first alert after a quiet spell is sealed at once, a burst
    /// after it (a wrong price list at every lane: tens of price mismatches a second) goes out together a
    /// moment later, one message instead of one per alert. Alerts always go with a data seal.
    /// </summary>
    public TimeSpan AlertInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How often retention and the disk budget are enforced.</summary>
    public TimeSpan MaintenanceInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>When set, replaces <see cref="GatewaySettings.DiskBudgetMb"/> (tests of the drop policy use a few hundred KB).</summary>
    public long? DiskBudgetBytesOverride { get; init; }

    /// <summary>First retry delay of the uplink after a failed send; doubles up to <see cref="UplinkMaxBackoff"/>.</summary>
    public TimeSpan UplinkMinBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan UplinkMaxBackoff { get; init; } = TimeSpan.FromSeconds(60);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Below this much free space on the journal's volume the gateway is disk_full: it refuses ingest
    /// (503) and only drains its backlog; it takes ingest again at twice this much. Default 8 MB.
    /// </summary>
    public long MinFreeDiskBytes { get; init; } = 8 * 1024 * 1024;

    /// <summary>Space kept in <see cref="DiskReserve"/> beside the journal and given back when the disk fills up. Default 4 MB; 0 disables it.</summary>
    public long DiskReserveBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>Free bytes on the volume of a folder; the real one asks the file system (tests may wrap it).</summary>
    public Func<string, long> FreeSpaceProbe { get; init; } = DiskSpace.FreeBytes;

    public void Validate()
    {
        if (StoreId <= 0)
        {
            throw new ArgumentException($"StoreGateway:StoreId must be a positive store id (got {StoreId})");
        }
        if (string.IsNullOrWhiteSpace(GatewayId) || GatewayId.Length > 100)
        {
            throw new ArgumentException("StoreGateway:GatewayId must be set (the IoT Edge device id, at most 100 characters)");
        }
        if (string.IsNullOrWhiteSpace(ModuleId))
        {
            throw new ArgumentException("StoreGateway:ModuleId must be set");
        }
        if (string.IsNullOrWhiteSpace(DataDirectory))
        {
            throw new ArgumentException("StoreGateway:DataDirectory must be set (folder of the SQLite journal)");
        }
        if (MaxEventsPerCommit is < 1 or > 100_000)
        {
            throw new ArgumentException("StoreGateway:MaxEventsPerCommit must be from 1 to 100000");
        }
        if (SealTick <= TimeSpan.Zero || MaintenanceInterval <= TimeSpan.Zero || FutureTolerance < TimeSpan.Zero || AlertInterval < TimeSpan.Zero)
        {
            throw new ArgumentException("StoreGateway:SealTick and MaintenanceInterval must be positive, FutureTolerance and AlertInterval not negative");
        }
        if (UplinkMinBackoff <= TimeSpan.Zero || UplinkMaxBackoff < UplinkMinBackoff)
        {
            throw new ArgumentException("StoreGateway:UplinkMinBackoff must be positive and not above UplinkMaxBackoff");
        }
        if (DiskBudgetBytesOverride is <= 0)
        {
            throw new ArgumentException("StoreGateway:DiskBudgetBytesOverride must be positive when set");
        }
        if (MinFreeDiskBytes < 0 || DiskReserveBytes < 0)
        {
            throw new ArgumentException("StoreGateway:MinFreeDiskBytes and DiskReserveBytes must not be negative");
        }
        ArgumentNullException.ThrowIfNull(FreeSpaceProbe);
        ArgumentNullException.ThrowIfNull(InitialSettings);
        ArgumentNullException.ThrowIfNull(TimeProvider);
    }
}
