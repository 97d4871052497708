namespace RetailEdge.Lakehouse.Hosting;

/// <summary>One publish pass: an outcome per store, and the reference rows that could not be used.</summary>
public sealed record ReferencePublishResult(IReadOnlyList<StorePublishOutcome> Stores, IReadOnlyList<string> Problems)
{
    public int Count(StorePublishAction action) => Stores.Count(s => s.Action == action);

    /// <summary>True when every store with a twin is up to date (or would be patched, in a dry run).</summary>
    public bool Succeeded => Stores.All(s => s.Action != StorePublishAction.Failed);
}
