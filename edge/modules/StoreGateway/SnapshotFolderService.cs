using System.Text;
using Microsoft.Extensions.Options;
using RetailEdge.Contracts.Events;
using RetailEdge.Contracts.Validation;
using RetailEdge.StoreGateway.Core;

namespace StoreGateway;

/// <summary>
/// Watches a folder for snapshot CSV files (header <c>item_id,employee_id,store_id,date_time,quantity</c>).
/// A parsed file's counts are journaled as inventory_snapshot events (ids derived from the file content,
/// so dropping the same file twice is a duplicate, not a second count); the file then moves to
/// <c>done/</c>, or to <c>rejected/</c> with a <c>.reason</c> file when it cannot be parsed or a count
/// is rejected. Polling (not file-system events) keeps it reliable on container volumes.
/// </summary>
public sealed partial class SnapshotFolderService(GatewayEngine engine, IOptions<StoreGatewayOptions> options, ILogger<SnapshotFolderService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var folder = options.Value.SnapshotFolder!;
        Directory.CreateDirectory(folder);
        Directory.CreateDirectory(Path.Combine(folder, "done"));
        Directory.CreateDirectory(Path.Combine(folder, "rejected"));
        using var timer = new PeriodicTimer(options.Value.SnapshotPollInterval);
        do
        {
            foreach (var file in Directory.EnumerateFiles(folder, "*.csv").Order(StringComparer.Ordinal).ToList())
            {
                await ProcessAsync(folder, file, stoppingToken).ConfigureAwait(false);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    internal async Task ProcessAsync(string folder, string file, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(file);
        string content;
        try
        {
            if (new FileInfo(file).Length > SnapshotCsv.MaxBytes)
            {
                await RejectAsync(folder, file, ReasonCodes.TooLarge, $"file larger than {SnapshotCsv.MaxBytes} bytes").ConfigureAwait(false);
                return;
            }
            content = await File.ReadAllTextAsync(file, Encoding.UTF8, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // Still being written by the handheld's uploader: try again next poll.
            return;
        }
        var parsed = SnapshotCsv.Parse(content);
        if (!parsed.IsValid)
        {
            await RejectAsync(folder, file, parsed.Reason!, parsed.Detail).ConfigureAwait(false);
            return;
        }
        var events = parsed.Events.Select(e => (ReadOnlyMemory<byte>)StoreEventJson.Serialize(e)).ToList();
        var outcomes = await engine.IngestAsync(events, IngestSources.File, cancellationToken).ConfigureAwait(false);
        var rejected = outcomes.Where(o => o.Status == IngestStatus.Rejected).ToList();
        if (rejected.Count > 0)
        {
            await RejectAsync(folder, file, rejected[0].Reason!, rejected[0].Detail).ConfigureAwait(false);
            return;
        }
        File.Move(file, Path.Combine(folder, "done", name), overwrite: true);
        LogDone(logger, name, parsed.Events.Count, outcomes.Count(o => o.Status == IngestStatus.Duplicate));
    }

    private async Task RejectAsync(string folder, string file, string reason, string? detail)
    {
        var name = Path.GetFileName(file);
        var target = Path.Combine(folder, "rejected", name);
        File.Move(file, target, overwrite: true);
        await File.WriteAllTextAsync(target + ".reason", reason + (detail is null ? "" : ": " + detail) + "\n").ConfigureAwait(false);
        LogRejected(logger, name, reason);
    }

    [LoggerMessage(1, LogLevel.Information, "Snapshot file {File}: {Counts} counts journaled ({Duplicates} duplicates)")]
    private static partial void LogDone(ILogger logger, string file, int counts, int duplicates);

    [LoggerMessage(2, LogLevel.Warning, "Snapshot file {File} rejected: {Reason}")]
    private static partial void LogRejected(ILogger logger, string file, string reason);
}
