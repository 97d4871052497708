using Microsoft.Extensions.Logging;

namespace RetailEdge.Delta.Storage;

/// <summary>Source-generated log messages of <see cref="DeltaTable"/> (locations never carry a SAS).</summary>
internal static partial class DeltaTableLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "{Table}: committed version {Version} ({Files} files, {Rows} rows, {Removed} removed) after {Attempts} attempts")]
    public static partial void Committed(ILogger logger, string table, long version, int files, long rows, int removed, int attempts);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "{Table}: batch {AppId}/{AppVersion} is already committed; write skipped")]
    public static partial void WriteSkipped(ILogger logger, string table, string appId, long appVersion);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "{Table}: checkpoint of version {Version} not written ({Reason}); the commit stands, loads replay more JSON until the next checkpoint")]
    public static partial void CheckpointFailed(ILogger logger, string table, long version, string reason);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "{Table}: version {Version} compacted {Files} small files in {Partitions} partitions")]
    public static partial void Optimized(ILogger logger, string table, long version, int files, int partitions);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "{Table}: vacuum {Deleted} unreferenced files (dry run: {DryRun}), {Kept} kept within retention")]
    public static partial void Vacuumed(ILogger logger, string table, int deleted, int kept, bool dryRun);
}
