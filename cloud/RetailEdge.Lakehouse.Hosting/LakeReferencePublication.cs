using Microsoft.Extensions.Logging;
using RetailEdge.IotHubService;
using RetailEdge.Lakehouse;

namespace RetailEdge.Lakehouse.Hosting;

/// <summary>
/// The processor's reference publication: after a pass, when the reference tables' Delta versions
/// differ from the last complete publication (or <see cref="RefreshInterval"/> has passed, so urls
/// close to expiry are renewed), reads the tables and runs <see cref="ReferencePublisher"/>. Versions are
/// remembered only when every store was reached, so a store without a twin yet or a failed patch is tried
/// again on the next pass. Hub failures are logged and never stop the lake.
/// </summary>
public sealed partial class LakeReferencePublication : IReferencePublication
{
    private readonly LakeContext _lake;
    private readonly ReferencePublisher _publisher;
    private readonly ILogger _logger;
    private string? _publishedVersions;
    private DateTimeOffset _publishedAt;

    public LakeReferencePublication(LakeContext lake, ReferencePublisher publisher, ILogger<LakeReferencePublication> logger)
    {
        _lake = lake ?? throw new ArgumentNullException(nameof(lake));
        _publisher = publisher ?? throw new ArgumentNullException(nameof(publisher));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Publish again after this long even without a change (renews expiring urls; patches nothing otherwise).</summary>
    public TimeSpan RefreshInterval { get; init; } = TimeSpan.FromHours(6);

    public async Task PublishIfChangedAsync(CancellationToken cancellationToken)
    {
        try
        {
            var versions = await ReferenceLoader.ReadVersionsAsync(_lake, cancellationToken).ConfigureAwait(false);
            var now = _lake.TimeProvider.GetUtcNow();
            if (versions == _publishedVersions && now - _publishedAt < RefreshInterval)
            {
                return;
            }
            using var connection = _lake.Connect();
            if (await ReferenceLoader.ReadTablesAsync(_lake, connection, cancellationToken).ConfigureAwait(false) is not { } tables)
            {
                return;
            }
            var result = await _publisher.PublishAsync(tables, null, dryRun: false, cancellationToken).ConfigureAwait(false);
            LogPublished(_logger, result.Count(StorePublishAction.Patched), result.Count(StorePublishAction.Unchanged),
                result.Count(StorePublishAction.NoTwin), result.Count(StorePublishAction.Failed));
            if (result.Stores.All(s => s.Action is StorePublishAction.Patched or StorePublishAction.Unchanged))
            {
                _publishedVersions = versions;
                _publishedAt = now;
            }
        }
        catch (Exception e) when (e is IotHubServiceException or HttpRequestException or AzureCredentialException or IOException or Azure.RequestFailedException)
        {
            LogFailed(_logger, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reference data published: {Patched} twins patched, {Unchanged} up to date, {NoTwin} without a module twin, {Failed} failed")]
    private static partial void LogPublished(ILogger logger, int patched, int unchanged, int noTwin, int failed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reference data not published (the next pass retries): {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
