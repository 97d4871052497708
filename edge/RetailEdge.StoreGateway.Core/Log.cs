using Microsoft.Extensions.Logging;

namespace RetailEdge.StoreGateway.Core;

internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Journal {Path} opened: {Events} events, next seq {NextSeq}, {OpenWindows} open windows rebuilt, reference data {ReferenceVersion}")]
    public static partial void Recovered(ILogger logger, string path, long events, long nextSeq, int openWindows, string? referenceVersion);

    [LoggerMessage(2, LogLevel.Warning, "Journaled event {Tag} no longer parses ({Reason}); skipped while rebuilding")]
    public static partial void UnreadableEvent(ILogger logger, long tag, string? reason);

    [LoggerMessage(3, LogLevel.Error, "Storing sealed batches failed; rebuilding the aggregation state from the journal")]
    public static partial void SealFailed(ILogger logger, Exception exception);

    [LoggerMessage(4, LogLevel.Debug, "Sealed {Count} batches up to seq {LastSeq}")]
    public static partial void Sealed(ILogger logger, int count, long lastSeq);

    [LoggerMessage(5, LogLevel.Warning, "Disk budget reached: dropped {Count} unsent batches (over budget: {OverBudget})")]
    public static partial void Dropped(ILogger logger, long count, bool overBudget);

    [LoggerMessage(6, LogLevel.Warning, "Sending batch {Seq} failed ({Error}); retrying in {Delay}")]
    public static partial void SendFailed(ILogger logger, long seq, string error, TimeSpan delay);

    [LoggerMessage(7, LogLevel.Warning, "Desired properties rejected: {Error}; keeping the last good settings")]
    public static partial void ConfigRejected(ILogger logger, string error);

    [LoggerMessage(8, LogLevel.Information, "Settings applied: window {Window}, lateness {Lateness}, send interval {SendInterval}, max batch {MaxBatchBytes} bytes")]
    public static partial void SettingsApplied(ILogger logger, TimeSpan window, TimeSpan lateness, TimeSpan sendInterval, int maxBatchBytes);

    [LoggerMessage(9, LogLevel.Information, "Reference data {Version} applied: {Items} items")]
    public static partial void ReferenceApplied(ILogger logger, string version, int items);

    [LoggerMessage(10, LogLevel.Warning, "Reference data rejected: {Error}")]
    public static partial void ReferenceRejected(ILogger logger, string error);

    [LoggerMessage(11, LogLevel.Warning, "Reporting properties failed: {Error}")]
    public static partial void ReportFailed(ILogger logger, string error);

    [LoggerMessage(12, LogLevel.Error, "Engine command failed")]
    public static partial void CommandFailed(ILogger logger, Exception exception);

    [LoggerMessage(13, LogLevel.Warning, "WAL checkpoint failed: {Error}; the next one catches up")]
    public static partial void CheckpointFailed(ILogger logger, string error);

    [LoggerMessage(14, LogLevel.Error, "The event validator failed on an input; the event is quarantined as malformed_json")]
    public static partial void ValidatorFailed(ILogger logger, Exception exception);

    [LoggerMessage(15, LogLevel.Error, "The journal's disk is full ({FreeBytes} bytes free): ingest is refused with disk_full, the backlog keeps draining")]
    public static partial void DiskFull(ILogger logger, long freeBytes);

    [LoggerMessage(16, LogLevel.Information, "Disk space is back ({FreeBytes} bytes free): ingest resumes")]
    public static partial void DiskSpaceBack(ILogger logger, long freeBytes);

    [LoggerMessage(17, LogLevel.Warning, "Retention and disk budget failed ({Error}); tried again at the next interval")]
    public static partial void MaintenanceFailed(ILogger logger, string error);

    [LoggerMessage(18, LogLevel.Warning, "Batch {Seq} was sent but cannot be marked sent ({Error}); marked when there is disk space again")]
    public static partial void MarkSentFailed(ILogger logger, long seq, string error);

    [LoggerMessage(19, LogLevel.Warning, "The journal's disk is full: the new {What} apply in memory but are not kept in the journal; the module twin sends them again after a restart")]
    public static partial void NotPersisted(ILogger logger, string what);

    [LoggerMessage(20, LogLevel.Debug, "Sealing {Events} events and {Alerts} alerts beside the writer")]
    public static partial void SealQueued(ILogger logger, int events, int alerts);

    [LoggerMessage(21, LogLevel.Error, "Aggregating acknowledged events failed; rebuilding the aggregation state from the journal")]
    public static partial void AggregationFailed(ILogger logger, Exception exception);

    [LoggerMessage(22, LogLevel.Debug, "Aggregating {Count} acknowledged events beside the writer")]
    public static partial void AggregationQueued(ILogger logger, int count);

    [LoggerMessage(23, LogLevel.Warning, "A writer turn took {TotalMs:F0} ms (acknowledgements waited): commands, commit and aggregation {CommitMs:F0} ms (journal appends {AppendMs:F0} ms, waiting for the aggregation lane {AggregationWaitMs:F0} ms), sealing {SealMs:F0} ms, storing batches {StoreMs:F0} ms, retention and disk budget {MaintenanceMs:F0} ms, status and checkpoint {StatusMs:F0} ms; garbage collection paused the process {GcPauseMs:F0} ms of it")]
    public static partial void SlowWriterTurn(ILogger logger, double totalMs, double commitMs, double appendMs, double aggregationWaitMs, double sealMs, double storeMs, double maintenanceMs, double statusMs, double gcPauseMs);
}
