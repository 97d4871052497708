using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using RetailEdge.Contracts.Reference;
using RetailEdge.IotHubService;
using RetailEdge.ReferencePublishing;

namespace RetailEdge.Lakehouse.Hosting;

/// <summary>
/// Sends each store's reference set down to its StoreGateway module twin (ARCHITECTURE.md §6): reads
/// the twins with one query, patches only those whose <c>referenceData</c> version differs (or whose url
/// is about to expire), inline when the set fits the twin limits and as a url to <see cref="IReferenceSetStore"/>
/// otherwise. Every patch carries If-Match with the ETag read, so a concurrent change is never
/// overwritten blindly: on 412 the twin is read again and the decision made again. Twin calls are paced
/// at <see cref="ReferencePublisherOptions.TwinOperationsPerSecond"/>. A store that fails is reported
/// and the others go on.
/// </summary>
public sealed partial class ReferencePublisher
{
    private readonly IotHubServiceClient _hub;
    private readonly IReferenceSetStore _store;
    private readonly ReferencePublisherOptions _options;
    private readonly ILogger _logger;
    private readonly TwinRatePacer _pacer;

    public ReferencePublisher(IotHubServiceClient hub, IReferenceSetStore store, ReferencePublisherOptions options, ILogger<ReferencePublisher> logger)
    {
        ArgumentNullException.ThrowIfNull(hub);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        options.Validate();
        _hub = hub;
        _store = store;
        _options = options;
        _logger = logger;
        _pacer = new TwinRatePacer(options.TwinOperationsPerSecond, options.TimeProvider);
    }

    /// <summary>Plans the sets from <paramref name="tables"/> and publishes them.</summary>
    public async Task<ReferencePublishResult> PublishAsync(ReferenceTables tables, IReadOnlySet<int>? onlyStores, bool dryRun, CancellationToken cancellationToken)
    {
        var plan = ReferenceSetPlanner.Plan(tables, onlyStores);
        foreach (var problem in plan.Problems)
        {
            LogProblem(_logger, problem);
        }
        var twins = new Dictionary<string, Twin>(StringComparer.Ordinal);
        await _pacer.WaitAsync(cancellationToken).ConfigureAwait(false);
        var query = $"SELECT * FROM devices.modules WHERE moduleId = '{_options.ModuleId.Replace("'", "''", StringComparison.Ordinal)}'";
        await foreach (var twin in _hub.QueryTwinsAsync(query, cancellationToken: cancellationToken).ConfigureAwait(false))
        {
            twins[twin.DeviceId] = twin;
        }
        var urls = new Dictionary<string, Uri>(StringComparer.Ordinal);
        var outcomes = new List<StorePublishOutcome>(plan.Sets.Count);
        foreach (var set in plan.Sets)
        {
            var outcome = await PublishOneAsync(set, twins.GetValueOrDefault(set.DeviceId), dryRun, urls, cancellationToken).ConfigureAwait(false);
            LogOutcome(_logger, outcome.StoreId, outcome.DeviceId, outcome.Action, outcome.Detail);
            outcomes.Add(outcome);
        }
        return new ReferencePublishResult(outcomes, plan.Problems);
    }

    private async Task<StorePublishOutcome> PublishOneAsync(StoreReferenceSet set, Twin? twin, bool dryRun, Dictionary<string, Uri> urls, CancellationToken cancellationToken)
    {
        StorePublishOutcome Outcome(StorePublishAction action, string? old, string detail) => new(set.StoreId, set.DeviceId, action, old, set.Version, detail);
        if (twin is null)
        {
            return Outcome(StorePublishAction.NoTwin, null, $"no {_options.ModuleId} module twin on device {set.DeviceId}");
        }
        for (var attempt = 0; ; attempt++)
        {
            var decision = ReferenceTwinPatch.Decide(set, twin.Desired, _options.TimeProvider.GetUtcNow(), _options.RenewUrlsBefore);
            if (!decision.NeedsPatch)
            {
                return Outcome(StorePublishAction.Unchanged, decision.CurrentVersion, decision.Reason);
            }
            if (dryRun)
            {
                return Outcome(StorePublishAction.WouldPatch, decision.CurrentVersion,
                    $"{decision.Reason}; {set.Items:N0} items, {set.Payload.Length:N0} bytes {(set.FitsInline ? "inline" : "by url")}");
            }
            JsonObject patch;
            string how;
            try
            {
                (patch, how) = await BuildPatchAsync(set, twin.Desired, urls, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException e)
            {
                return Outcome(StorePublishAction.Failed, decision.CurrentVersion, e.Message);
            }
            await _pacer.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _hub.UpdateModuleTwinAsync(set.DeviceId, _options.ModuleId, patch, twin.ETag ?? "*", cancellationToken).ConfigureAwait(false);
                return Outcome(StorePublishAction.Patched, decision.CurrentVersion, $"{decision.Reason}; {set.Items:N0} items, {set.Payload.Length:N0} bytes {how}");
            }
            catch (IotHubServiceException e) when (e.StatusCode == HttpStatusCode.PreconditionFailed && attempt < _options.MaxPreconditionRetries)
            {
                // the twin changed since it was read (another writer, a deployment): decide again on what it holds now
                LogPreconditionFailed(_logger, set.DeviceId, attempt + 1);
                await _pacer.WaitAsync(cancellationToken).ConfigureAwait(false);
                twin = await _hub.GetModuleTwinAsync(set.DeviceId, _options.ModuleId, cancellationToken).ConfigureAwait(false);
            }
            catch (IotHubServiceException e)
            {
                return Outcome(StorePublishAction.Failed, decision.CurrentVersion, e.Message);
            }
        }
    }

    /// <summary>Inline when the chunks fit the twin limits beside the other desired properties, else by url.</summary>
    private async Task<(JsonObject Patch, string How)> BuildPatchAsync(StoreReferenceSet set, JsonObject desired, Dictionary<string, Uri> urls, CancellationToken cancellationToken)
    {
        if (set.FitsInline)
        {
            var inline = ReferenceTwinPatch.Build(ReferenceDataPointer.Inline(set.Payload), desired);
            if (TwinLimits.Check(ReferenceTwinPatch.Merge(desired, inline)) is null)
            {
                return (inline, "inline");
            }
        }
        if (!urls.TryGetValue(set.Sha256, out var url))
        {
            url = await _store.PutAsync(set, cancellationToken).ConfigureAwait(false);
            urls[set.Sha256] = url;
        }
        var remote = ReferenceTwinPatch.Build(ReferenceDataPointer.Remote(set.Payload, url), desired);
        if (TwinLimits.Check(ReferenceTwinPatch.Merge(desired, remote)) is { } error)
        {
            throw new ArgumentException("the patch would break the twin limits: " + error);
        }
        return (remote, "by url");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reference data: {Problem}")]
    private static partial void LogProblem(ILogger logger, string problem);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reference data for store {StoreId} ({DeviceId}): {Action}, {Detail}")]
    private static partial void LogOutcome(ILogger logger, int storeId, string deviceId, StorePublishAction action, string detail);

    [LoggerMessage(Level = LogLevel.Information, Message = "Twin of {DeviceId} changed since it was read (412); reading it again, attempt {Attempt}")]
    private static partial void LogPreconditionFailed(ILogger logger, string deviceId, int attempt);
}
