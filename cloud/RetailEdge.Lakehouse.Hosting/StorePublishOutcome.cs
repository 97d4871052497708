namespace RetailEdge.Lakehouse.Hosting;

/// <summary>What the publisher did (or, in a dry run, would do) for one store.</summary>
public sealed record StorePublishOutcome(int StoreId, string DeviceId, StorePublishAction Action, string? OldVersion, string NewVersion, string Detail);

/// <summary>The action taken for one store's twin.</summary>
public enum StorePublishAction
{
    Unchanged,
    Patched,
    WouldPatch,
    NoTwin,
    Failed,
}
